"""The one op-testing helper: our op against a float64 gradcheck and against torch.

``check_op(shapes, torch_fn, our_fn)`` seeds a generator, draws uniform inputs
of the given shapes (or takes ``values``), and

1. runs :func:`chainrule.autograd.gradcheck` on ``our_fn`` in float64, so every op
   is checked even where torch is absent;
2. compares our float32 output with torch's (shape, dtype, values), then the
   gradients of every input under one random upstream gradient (or ``.sum()``),
   and checks that no float32 intermediate, op gradient or leaf gradient became
   float64 on the way.

The hypothesis strategies below give shapes with size-1 axes, scalars ``()`` and
mutually broadcastable pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr

try:  # the reference; without it the gradchecks still run and the comparisons skip
    import torch
    from torch.nn import functional as tf
except ImportError:
    torch = tf = None

# Few examples, no deadline (the machine is shared), reproducible, no files written.
FAST = settings(max_examples=25, deadline=None, derandomize=True, database=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
broadcast_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    min_side=1, max_side=4)


@st.composite
def axes(draw: st.DrawFn, ndim: int) -> int | tuple[int, ...] | None:
    """None, one axis (possibly negative) or a tuple of distinct axes of an ``ndim`` tensor."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(chosen)


def torch_dims(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Our ``axis`` as torch's ``dim`` (every axis for None)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def _draw(shapes: Sequence[tuple[int, ...]], low: Any, high: Any, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    n = len(shapes)
    lows = list(low) if isinstance(low, (list, tuple)) else [low] * n
    highs = list(high) if isinstance(high, (list, tuple)) else [high] * n
    return [rng.uniform(lo, hi, size=s) for s, lo, hi in zip(shapes, lows, highs, strict=True)]


def check_grad(our_fn: Callable[..., cr.Tensor], arrays: Sequence[np.ndarray],
               atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Float64 gradcheck of ``our_fn`` at ``arrays`` (every input requires grad)."""
    inputs = [cr.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    cr.gradcheck(our_fn, inputs, atol=atol, rtol=rtol)


def _spy_on_graph(out: cr.Tensor) -> list[tuple[str, str, np.dtype]]:
    """Record the dtype of every intermediate and of every gradient each op hands back."""
    log: list[tuple[str, str, np.dtype]] = []
    seen: set[int] = set()
    stack = [out]
    while stack:
        node = stack.pop()
        ctx = node._ctx
        if ctx is None or id(ctx) in seen:
            continue
        seen.add(id(ctx))
        name = type(ctx).__name__
        log.append((name, "output", node.data.dtype))

        def spy(g: np.ndarray, original: Callable = ctx.backward, name: str = name) -> Any:
            grads = original(g)
            for gi in grads if isinstance(grads, tuple) else (grads,):
                if gi is not None:
                    log.append((name, "gradient", np.asarray(gi).dtype))
            return grads

        ctx.backward = spy
        stack.extend(ctx.inputs)
    return log


def _torch_dtype_name(t: Any) -> str:
    return str(t.dtype).removeprefix("torch.")


def check_op(shapes: Sequence[tuple[int, ...]], torch_fn: Callable | None,
             our_fn: Callable | None = None, *, values: Sequence[Any] | None = None,
             low: Any = -2.0, high: Any = 2.0, seed: int = 0, atol: float = 1e-5,
             rtol: float = 1e-4, grad_atol: float = 1e-4, grad_rtol: float = 1e-3,
             upstream: str = "random", gradcheck: bool = True, grad: bool = True) -> None:
    """Check ``our_fn`` (default: ``torch_fn``) against gradcheck and torch.

    Args:
        shapes: one shape per input (ignored when ``values`` is given).
        torch_fn: the reference, called with float32 torch tensors (only once
            torch is known to be installed); None to run the gradcheck only.
        our_fn: called with chainrule tensors. Defaults to ``torch_fn``.
        values: explicit inputs instead of uniform draws (ties, kinks, bounds).
        low, high: bounds of the uniform draws, scalars or one per input.
        seed: seed of the draws and of the upstream gradient.
        atol, rtol: tolerances of the forward values (float32).
        grad_atol, grad_rtol: tolerances of the gradients (float32).
        upstream: "random" (a seeded normal upstream gradient) or "sum".
        gradcheck: also run the float64 gradcheck. Defaults to True.
        grad: compare gradients (False for ops without a gradient).
    """
    our_fn = our_fn or torch_fn
    arrays = ([np.asarray(v, dtype=np.float64) for v in values] if values is not None
              else _draw(shapes, low, high, seed))
    if gradcheck:
        check_grad(our_fn, arrays)
    if torch_fn is None:
        return
    if torch is None:
        pytest.skip("torch is not installed: compared with gradcheck only")
    ours_in = [cr.tensor(a.astype(np.float32), requires_grad=grad) for a in arrays]
    theirs_in = [torch.tensor(a.astype(np.float32), requires_grad=grad) for a in arrays]
    ours, theirs = our_fn(*ours_in), torch_fn(*theirs_in)

    assert ours.shape == tuple(theirs.shape), f"forward shape {ours.shape} != {theirs.shape}"
    assert ours.dtype.name == _torch_dtype_name(theirs), \
        f"forward dtype {ours.dtype} != {theirs.dtype}"
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), atol=atol, rtol=rtol,
                               err_msg="forward pass")
    if not grad:
        return
    log = _spy_on_graph(ours)
    if upstream == "sum":
        ours.sum().backward()
        theirs.sum().backward()
    else:
        g = np.random.default_rng(seed + 1).standard_normal(ours.shape).astype(np.float32)
        ours.backward(g)
        theirs.backward(torch.from_numpy(g))
    leaked = [entry for entry in log if entry[2] == np.float64]
    assert not leaked, f"float32 became float64 inside the graph: {leaked}"
    for i, (x, tx) in enumerate(zip(ours_in, theirs_in, strict=True)):
        if tx.grad is None:
            assert x.grad is None or not x.grad.any(), f"tensor {i}: torch has no gradient"
            continue
        assert x.grad is not None, f"backward pass tensor {i}: no gradient"
        assert x.grad.shape == tuple(tx.grad.shape), \
            f"backward pass tensor {i} failed shape {x.grad.shape} != {tuple(tx.grad.shape)}"
        assert x.grad.dtype == np.float32, f"backward pass tensor {i}: dtype {x.grad.dtype}"
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), atol=grad_atol, rtol=grad_rtol,
                                   err_msg=f"backward pass tensor {i}")


def check_jvp(shapes: Sequence[tuple[int, ...]], fn: Callable[..., cr.Tensor], *,
              low: float = -2.0, high: float = 2.0, seed: int = 0) -> None:
    """Forward mode of ``fn`` in float64: <u, J v> = <J^T u, v> and J v ~ a centred difference."""
    rng = np.random.default_rng(seed)
    xs = [cr.tensor(rng.uniform(low, high, size=s), dtype=np.float64, requires_grad=True)
          for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    out, jv = cr.jvp(fn, xs, vs)
    assert jv.shape == out.shape and jv.dtype == np.float64
    u = rng.standard_normal(out.shape)
    jtu = cr.grad(fn(*xs), xs, grad_outputs=[u], allow_unused=True)
    rhs = sum(float(np.sum(g.data * v)) for g, v in zip(jtu, vs, strict=True) if g is not None)
    np.testing.assert_allclose(float(np.sum(u * jv.data)), rhs, rtol=1e-10, atol=1e-10)
    eps = 1e-6
    with cr.no_grad():
        ends = [fn(*[cr.tensor(x.data + s * eps * v, dtype=np.float64)
                     for x, v in zip(xs, vs, strict=True)]).data for s in (1, -1)]
    np.testing.assert_allclose(jv.data, (ends[0] - ends[1]) / (2 * eps), atol=1e-6)
