"""Gradient clipping and non-finite step skipping, as transforms and as torch-style functions.

The transforms clip the updates of one flat buffer (one parameter group);
``clip_grad_norm_`` / ``clip_grad_value_`` clip the ``.grad`` of any tensors in
place before ``opt.step()``, with the same numbers as ``torch.nn.utils``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.base import EmptyState, GradientTransformation, State

_NORM_EPS = 1e-6  # torch adds it to the norm before dividing


def _clip_coef(total_norm: float, max_norm: float) -> float:
    """The factor torch applies: ``min(1, max_norm / (total_norm + 1e-6))``."""
    return min(1.0, max_norm / (total_norm + _NORM_EPS))


def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    """Rescale the updates so their L2 norm is at most ``max_norm``.

    ``u <- u * min(1, max_norm / (||u|| + 1e-6))``, the rule of
    ``torch.nn.utils.clip_grad_norm_``; the norm is over the whole buffer
    the transform sees (one parameter group).

    Args:
        max_norm: the largest norm let through (positive).
    """
    if not max_norm > 0:
        raise ValueError(f"clip_by_global_norm: max_norm must be positive, got {max_norm}")

    def init(params: np.ndarray) -> EmptyState:
        return EmptyState()

    def update(u: np.ndarray, state: EmptyState, params: np.ndarray | None = None):
        coef = _clip_coef(float(np.linalg.norm(u)), max_norm)
        if coef < 1.0:
            u *= coef
        return u, state

    return GradientTransformation(init, update)


def clip_by_value(max_abs: float) -> GradientTransformation:
    """Clip every update into ``[-max_abs, max_abs]`` (``torch.nn.utils.clip_grad_value_``).

    Args:
        max_abs: the bound (positive).
    """
    if not max_abs > 0:
        raise ValueError(f"clip_by_value: max_abs must be positive, got {max_abs}")

    def init(params: np.ndarray) -> EmptyState:
        return EmptyState()

    def update(u: np.ndarray, state: EmptyState, params: np.ndarray | None = None):
        np.clip(u, -max_abs, max_abs, out=u)
        return u, state

    return GradientTransformation(init, update)


class SkipNotFiniteState(NamedTuple):
    """skipped: how many steps were skipped; inner: the wrapped transform's state."""

    skipped: int
    inner: State


def skip_not_finite(inner: GradientTransformation) -> GradientTransformation:
    """Run ``inner`` only when every gradient is finite; otherwise skip the whole step.

    A skipped step returns zero updates and leaves ``inner``'s state (moments,
    step counts) untouched, so one overflowing batch neither moves the
    parameters nor poisons the optimizer; ``state.skipped`` counts the skips.

    Args:
        inner: the transformation to protect, e.g. ``chain(scale_by_adam(), ...)``.
    """
    def init(params: np.ndarray) -> SkipNotFiniteState:
        return SkipNotFiniteState(skipped=0, inner=inner.init(params))

    def update(u: np.ndarray, state: SkipNotFiniteState, params: np.ndarray | None = None):
        if not np.isfinite(u).all():
            u.fill(0)
            return u, state._replace(skipped=state.skipped + 1)
        u, inner_state = inner.update(u, state.inner, params)
        return u, state._replace(inner=inner_state)

    return GradientTransformation(init, update)


# ------------------------------------------------------------------ torch-style functions


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"clip: parameter {i} is a {type(p).__name__}, expected a Tensor")
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> float:
    """Scale the gradients of ``parameters`` in place so their joint norm is at most ``max_norm``.

    Same rule as ``torch.nn.utils.clip_grad_norm_``: the total norm is the
    ``norm_type``-norm of the per-tensor norms, and every gradient is
    multiplied by ``min(1, max_norm / (total + 1e-6))``.

    Args:
        parameters: tensors whose ``.grad`` to clip (``None`` grads are skipped).
        max_norm: the largest total norm.
        norm_type: the p of the p-norm, ``float('inf')`` for the max. Defaults to ``2``.
        error_if_nonfinite: raise if the total norm is NaN or infinite. Defaults to ``False``.

    Returns:
        The total norm before clipping.
    """
    grads = _grads(parameters)
    if not grads:
        return 0.0
    norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads], np.float64)
    total = float(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total}; pass error_if_nonfinite=False to clip anyway")
    coef = _clip_coef(total, float(max_norm))
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip the gradients of ``parameters`` into ``[-clip_value, clip_value]`` in place.

    Args:
        parameters: tensors whose ``.grad`` to clip (``None`` grads are skipped).
        clip_value: the bound.
    """
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
