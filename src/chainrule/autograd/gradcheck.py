"""Gradient checking: compare backprop with centred finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from chainrule.autograd import engine
from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytical and numerical gradients disagree."""


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Sequence[object] | None = None, retain_graph: bool = False,
         allow_unused: bool = False) -> list[Tensor | None]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    Args:
        outputs: tensor(s) to differentiate (one-element unless ``grad_outputs`` given).
        inputs: tensor(s) that require grad.
        grad_outputs: gradient flowing into each output. Defaults to ones.
        retain_graph: keep the graph for another pass. Defaults to ``False``.
        allow_unused: return None for an input the outputs do not depend on,
            instead of raising. Defaults to ``False``.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    found = engine.backward(outputs, grad_outputs, retain_graph, capture=inputs)
    result: list[Tensor | None] = []
    for i, g in enumerate(found):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} was not used to compute the outputs; "
                               "pass allow_unused=True to get None for it")
        result.append(None if g is None else Tensor._wrap(np.array(g)))
    return result


def _analytical(fn: Callable, inputs: Sequence[Tensor], checked: list[int]) -> list[np.ndarray]:
    """Jacobian of each checked input, shape (outputs, input elements), one backward per row."""
    out = fn(*inputs)
    jac = [np.zeros((out.data.size, inputs[i].data.size)) for i in checked]
    for row in range(out.data.size):
        seed = np.zeros(out.data.size)
        seed[row] = 1.0
        grads = engine.backward([out], [seed.reshape(out.shape)], retain_graph=True,
                                capture=[inputs[i] for i in checked])
        for j, g in enumerate(grads):
            if g is not None:
                jac[j][row] = g.reshape(-1)
    return jac


def _numerical(fn: Callable, inputs: Sequence[Tensor], checked: list[int],
               eps: float) -> list[np.ndarray]:
    """Jacobian by centred differences (f(x + eps) - f(x - eps)) / (2 eps), one column a time."""
    jac = []
    with no_grad():
        n_out = fn(*inputs).data.size
        for i in checked:
            data = inputs[i].data  # perturbed in place (element by element, C order)
            cols = np.zeros((n_out, data.size))
            for k, idx in enumerate(np.ndindex(data.shape)):
                orig = data[idx]
                data[idx] = orig + eps
                plus = fn(*inputs).data.reshape(-1).astype(np.float64)
                data[idx] = orig - eps
                minus = fn(*inputs).data.reshape(-1).astype(np.float64)
                data[idx] = orig
                cols[:, k] = (plus - minus) / (2 * eps)
            jac.append(cols)
    return jac


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Tensor], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Check backprop against centred finite differences for every input that requires grad.

    An entry fails when |analytical - numerical| > atol + rtol |numerical|; the
    report shows the relative error |a - n| / max(|a|, |n|) of the worst entries.
    Inputs must be float64: float32 differences are too coarse at eps=1e-6.

    Returns:
        True when every entry passes.

    Raises:
        GradcheckError: with a table of the worst entries.
    """
    inputs = list(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} is {inputs[i].dtype}; use float64 "
                            "(tensor(..., dtype='float64')) so differences are accurate")
    analytical = _analytical(fn, inputs, checked)
    numerical = _numerical(fn, inputs, checked, eps)
    rows = []
    for i, a, n in zip(checked, analytical, numerical, strict=True):
        diff = np.abs(a - n)
        bad = diff > atol + rtol * np.abs(n)
        if bad.any():
            scale = np.maximum(np.abs(a), np.abs(n))
            rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
            for out_idx, in_idx in zip(*np.nonzero(bad), strict=True):
                rows.append((rel[out_idx, in_idx], i, in_idx, out_idx, n[out_idx, in_idx],
                             a[out_idx, in_idx]))
    if rows:
        rows.sort(reverse=True)
        lines = [f"{'input':>5} {'element':>8} {'output':>7} {'numerical':>14} "
                 f"{'analytical':>14} {'rel. error':>11}"]
        lines += [f"{i:>5} {k:>8} {o:>7} {n:>14.6g} {a:>14.6g} {r:>11.3g}"
                  for r, i, k, o, n, a in rows[:10]]
        raise GradcheckError(f"Jacobian mismatch in {len(rows)} entries "
                             f"(atol={atol}, rtol={rtol}); worst first:\n" + "\n".join(lines))
    return True
