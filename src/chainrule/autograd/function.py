"""Function: one differentiable op, forward and backward side by side.

A subclass writes ``forward(self, *arrays, **params) -> ndarray`` and
``backward(self, grad) -> ndarray | tuple[ndarray | None, ...]`` on raw ndarrays,
saving on ``self`` whatever backward needs; optionally ``jvp(self, *tangents)``
for forward mode (a tangent is ``None`` where the input has none). The instance
is the op's context: it lives only while the graph does.

``apply`` runs the forward pass and, when gradients are being recorded and some
input requires grad, links the output into the graph. Broadcasting is undone
once, in the engine, so ``backward`` may return gradients of the broadcast shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor, _init_slots

_new = object.__new__


class _Mode:
    """Global switches: gradient recording (``no_grad``) and forward-mode tangents."""

    grad_enabled = True
    forward_ad = 0  # depth of active jvp() calls


class _InputsNeedingGrad:
    """``ctx.needs_input_grad``: for each input, whether it requires a gradient.

    Worked out on first read (in backward) and then kept on the instance, which
    shadows this non-data descriptor: building the tuple in every forward costs
    0.6 us of a tiny (4, 4) Mul's 4.9 us (timeit, best of 7), and a graph that
    never runs backward never needs it.
    """

    def __get__(self, ctx: Function | None, owner: type | None = None) -> Any:
        if ctx is None:
            return self
        needs = tuple([t.requires_grad for t in ctx.inputs])
        ctx.needs_input_grad = needs
        return needs


class Function:
    """Base class of every op: subclass and write ``forward`` and ``backward``."""

    needs_input_grad = _InputsNeedingGrad()

    def forward(self, *arrays: np.ndarray, **params: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self, grad: np.ndarray) -> np.ndarray | tuple[np.ndarray | None, ...]:
        raise RuntimeError(f"{type(self).__name__} is not differentiable")

    def jvp(self, *tangents: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError(f"forward mode is not implemented for {type(self).__name__}")

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        """Run the op on tensors and record it in the graph when gradients are needed."""
        # Measured on the shared 2-core machine (timeit best of 7, a tiny (4, 4) Mul forward
        # at 4.9 us): unpacking one or two inputs by hand instead of a list comprehension
        # and *args saves 0.9 us; not passing an empty **params 0.27 us.
        ctx = _new(cls)
        n = len(inputs)
        if n == 1:
            a = inputs[0].data
            out = ctx.forward(a, **params) if params else ctx.forward(a)
        elif n == 2:
            a, b = inputs[0].data, inputs[1].data
            out = ctx.forward(a, b, **params) if params else ctx.forward(a, b)
        else:
            out = ctx.forward(*[t.data for t in inputs], **params)
        result = _new(Tensor)
        _init_slots(result, out)
        if _Mode.grad_enabled:
            for t in inputs:
                if t.requires_grad:  # some input needs a gradient: link the output in
                    ctx.inputs = inputs
                    result._ctx = ctx
                    result.requires_grad = True
                    break
        if _Mode.forward_ad:
            for t in inputs:
                if t._tangent is not None:
                    result._tangent = _tangent_of(ctx, inputs, out)
                    break
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _tangent_of(ctx: Function, inputs: tuple[Tensor, ...], out: np.ndarray) -> np.ndarray:
    """Forward mode: push the inputs' tangents through the op (a missing tangent is zero)."""
    tangents = [t._tangent if t._tangent is not None else np.zeros_like(t.data) for t in inputs]
    tangent = np.asarray(ctx.jvp(*tangents), dtype=out.dtype)
    if tangent.shape != out.shape:
        tangent = np.broadcast_to(tangent, out.shape)
    return tangent


class no_grad:  # noqa: N801 -- named like torch.no_grad, used as a context manager
    """Context manager and decorator that turns gradient recording off.

    Inside it every op computes values only: no graph, no saved arrays. As a
    decorator it works with or without parentheses (``@no_grad()``, ``@no_grad``).

    Example:
        >>> with no_grad():
        ...     y = model(x)  # doctest: +SKIP
    """

    _enabled = False

    def __new__(cls, fn: Callable | None = None) -> Any:
        if fn is None:
            return super().__new__(cls)
        return cls()(fn)  # used bare as a decorator: @no_grad

    def __enter__(self) -> None:
        self._prev = _Mode.grad_enabled
        _Mode.grad_enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        _Mode.grad_enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):  # noqa: N801
    """Context manager and decorator that turns gradient recording back on."""

    _enabled = True


def is_grad_enabled() -> bool:
    """Whether ops are currently recorded for backward."""
    return _Mode.grad_enabled
