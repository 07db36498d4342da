"""Forward-mode differentiation: push a tangent through the ops alongside the values.

Each op's ``jvp`` maps input tangents to its output tangent, so one forward pass
gives the directional derivative J v, the forward-mode table of the lectures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.function import _Mode, no_grad
from chainrule.autograd.tensor import Tensor


def jvp(fn: Callable[..., Tensor], inputs: Sequence[Any],
        tangents: Sequence[Any]) -> tuple[Tensor, Tensor]:
    """Evaluate ``fn(*inputs)`` and its Jacobian-vector product ``J @ tangents`` in one pass.

    Args:
        fn: function of tensors returning one tensor.
        inputs: the point at which to differentiate.
        tangents: one direction per input, each of that input's shape.

    Returns:
        ``(fn(*inputs), J v)``, both as tensors without a graph.

    Example:
        >>> out, t = jvp(lambda x: (x * x).sum(), [tensor([1.0, 2.0])], [[1.0, 0.0]])
        >>> float(t)
        2.0
    """
    if len(inputs) != len(tangents):
        raise ValueError(f"jvp: {len(inputs)} inputs but {len(tangents)} tangents")
    primals = []
    for i, (x, v) in enumerate(zip(inputs, tangents, strict=True)):
        x = x if isinstance(x, Tensor) else Tensor(x)
        v = np.asarray(v.data if isinstance(v, Tensor) else v, dtype=x.dtype)
        if v.shape != x.shape:
            raise ValueError(f"jvp: tangent {i} has shape {v.shape}, its input has {x.shape}")
        p = Tensor._wrap(x.data)
        p._tangent = v
        primals.append(p)
    _Mode.forward_ad += 1
    try:
        with no_grad():
            out = fn(*primals)
    finally:
        _Mode.forward_ad -= 1
    if not isinstance(out, Tensor):
        raise TypeError(f"jvp: fn must return a Tensor, got {type(out).__name__}")
    tangent = out._tangent if out._tangent is not None else np.zeros_like(out.data)
    return Tensor._wrap(out.data), Tensor._wrap(np.array(tangent))
