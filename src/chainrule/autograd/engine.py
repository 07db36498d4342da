"""The backward pass: order the graph, run each op's backward once, accumulate.

The graph is walked iteratively (no recursion limit): one pass counts how many
recorded uses each tensor has, and a tensor's op runs backward as soon as all
of them have sent their gradient back (Kahn's topological order). Gradients
that reach a tensor along several paths are summed (the copy gate of fan-out),
gradients of a broadcast input are summed back to its shape here and nowhere
else, and each op's context is dropped as soon as it has been used unless the
caller asks to keep the graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chainrule.autograd.tensor import Tensor


class _Freed:
    """Stands in for the context of an op whose graph was freed by backward."""

    inputs: tuple = ()
    needs_input_grad: tuple = ()

    def __repr__(self) -> str:
        return "<freed>"


FREED = _Freed()


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != m for n, m in zip(shape, grad.shape[extra:],
                                                             strict=True)):
        raise RuntimeError(f"gradient of shape {grad.shape} cannot flow into shape {shape}")
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def count_consumers(roots: Sequence[Tensor]) -> dict[int, int]:
    """For every tensor behind ``roots`` that needs a gradient: how many recorded uses it has.

    A tensor's gradient is complete once that many uses have sent theirs back,
    so counting replaces a topological sort (Kahn's algorithm). Iterative: no
    recursion limit however long the graph.
    """
    uses: dict[int, int] = {}
    stack = list(roots)
    while stack:
        ctx = stack.pop()._ctx
        if ctx is None:
            continue
        for parent, needed in zip(ctx.inputs, ctx.needs_input_grad, strict=True):
            if needed:
                key = id(parent)
                if key in uses:
                    uses[key] += 1
                else:
                    uses[key] = 1
                    stack.append(parent)
    return uses


def _seed(root: Tensor, grad: object) -> np.ndarray:
    if not root.requires_grad:
        raise RuntimeError("backward: the tensor does not require grad and has no graph; "
                           "did you forget requires_grad=True, or run under no_grad?")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be omitted only for a one-element tensor; this one has "
                f"shape {root.shape}, so pass grad= of that shape (or call .sum() first)"
            )
        return np.ones(root.shape, dtype=root.data.dtype)
    g = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.data.dtype)
    if g.shape != root.shape:
        raise RuntimeError(f"backward: grad of shape {g.shape} does not match the tensor's "
                           f"shape {root.shape}")
    return g


def _run_hooks(node: Tensor, g: np.ndarray) -> np.ndarray:
    for hook in node._hooks:
        replaced = hook(g)
        if replaced is not None:
            replaced = np.asarray(replaced, dtype=node.data.dtype)
            if replaced.shape != g.shape:
                raise RuntimeError(f"hook returned a gradient of shape {replaced.shape}, "
                                   f"expected {g.shape}")
            g = replaced
    return g


def backward(roots: Sequence[Tensor], grads: Sequence[object] | None = None,
             retain_graph: bool = False,
             capture: Sequence[Tensor] | None = None) -> list[np.ndarray | None] | None:
    """Back-propagate from ``roots``; fill leaves' ``.grad`` or return the gradients of ``capture``.

    A tensor is processed once the gradients of all its uses have arrived, so
    each op's backward runs once on the summed gradient. With ``capture`` given,
    no ``.grad`` is touched (the functional ``grad`` form).
    """
    pending: dict[int, np.ndarray] = {}
    for i, root in enumerate(roots):
        g = _seed(root, None if grads is None else grads[i])
        prev = pending.get(id(root))
        pending[id(root)] = g if prev is None else prev + g
    captured = None if capture is None else {id(t): None for t in capture}
    _propagate(roots, pending, captured, retain_graph)
    if captured is None:
        return None
    return [captured[id(t)] for t in capture]


def _propagate(roots: Sequence[Tensor], pending: dict[int, np.ndarray],
               captured: dict[int, np.ndarray | None] | None, retain_graph: bool) -> None:
    """Run every op's backward in Kahn's order, from ``pending`` gradients of the roots."""
    uses = count_consumers(roots)
    ready = list({id(r): r for r in roots if id(r) not in uses}.values())

    while ready:
        node = ready.pop()
        g = pending.pop(id(node), None)
        if g is not None:
            if node._hooks:
                g = _run_hooks(node, g)
            if captured is not None and id(node) in captured:
                captured[id(node)] = g
        ctx = node._ctx
        if ctx is None:
            if g is not None and captured is None:
                _accumulate(node, g)
            continue
        if ctx is FREED:
            raise RuntimeError(
                "backward through the graph a second time: its saved values were freed by the "
                "first backward; pass retain_graph=True to the first call to keep them"
            )
        inputs = ctx.inputs
        if g is None:  # no gradient reached this op: its inputs only need releasing
            input_grads = (None,) * len(inputs)
        else:
            input_grads = ctx.backward(g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if len(input_grads) < len(inputs):
                raise RuntimeError(f"{type(ctx).__name__}.backward returned {len(input_grads)} "
                                   f"gradients for {len(inputs)} inputs")
        for parent, needed, gi in zip(inputs, ctx.needs_input_grad, input_grads, strict=False):
            if not needed:
                continue
            key = id(parent)
            if gi is not None:
                pdata = parent.data
                if gi.shape != pdata.shape:
                    gi = unbroadcast(gi, pdata.shape)
                if gi.dtype is not pdata.dtype and gi.dtype != pdata.dtype:
                    gi = gi.astype(pdata.dtype)
                prev = pending.get(key)
                pending[key] = gi if prev is None else prev + gi
            left = uses[key] - 1
            uses[key] = left
            if not left:
                ready.append(parent)
        if not retain_graph:
            node._ctx = FREED


def _accumulate(leaf: Tensor, g: np.ndarray) -> None:
    """Add ``g`` into ``leaf.grad`` in place, whatever it holds (a buffer view stays a view)."""
    if leaf.grad is None:
        # Ops may hand the same array to several inputs; the leaf must own its grad.
        leaf.grad = np.array(g, dtype=leaf.data.dtype, copy=True)
    else:
        leaf.grad += g
