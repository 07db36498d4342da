"""Module-level forms of the tensor ops (``cr.exp(x)``, ``cr.matmul(a, b)``) and constructors."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import random as _random
from chainrule.autograd import ops
from chainrule.autograd.ops import clip, concatenate, flatten, pad, stack, take_along_axis, where
from chainrule.autograd.tensor import Tensor, tensor

__all__ = [
    "abs", "broadcast_to", "clip", "concatenate", "exp", "flatten", "log", "logsumexp",
    "matmul", "max", "maximum", "mean", "min", "minimum", "ones", "pad", "permute", "rand",
    "randn", "reshape", "sqrt", "squeeze", "stack", "sum", "take_along_axis", "transpose",
    "unsqueeze", "var", "where", "zeros", "ones_like", "zeros_like",
]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def exp(x: Any) -> Tensor:
    """e^x elementwise."""
    return _t(x).exp()


def log(x: Any) -> Tensor:
    """Natural logarithm elementwise."""
    return _t(x).log()


def sqrt(x: Any) -> Tensor:
    """Square root elementwise."""
    return _t(x).sqrt()


def abs(x: Any) -> Tensor:  # noqa: A001
    """|x| elementwise."""
    return ops.Abs.apply(_t(x))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum (ties split the gradient evenly, as torch)."""
    return _t(a).maximum(b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum (ties split the gradient evenly, as torch)."""
    return _t(a).minimum(b)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy's rules (1-D, 2-D and broadcast batches)."""
    return _t(a) @ b


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _t(x).sum(axis, keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).mean(axis, keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over ``axis`` with ``ddof`` as NumPy (0: biased, torch's unbiased=False)."""
    return _t(x).var(axis, keepdims, ddof)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _t(x).max(axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _t(x).min(axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).logsumexp(axis, keepdims)


def reshape(x: Any, shape: tuple[int, ...]) -> Tensor:
    return _t(x).reshape(shape)


def transpose(x: Any, axes: tuple[int, ...] | None = None) -> Tensor:
    return _t(x).transpose(axes) if axes is not None else _t(x).transpose()


def permute(x: Any, axes: tuple[int, ...]) -> Tensor:
    return _t(x).transpose(axes)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Tensor:
    return _t(x).broadcast_to(shape)


def squeeze(x: Any, axis: Any = None) -> Tensor:
    return _t(x).squeeze(axis)


def unsqueeze(x: Any, axis: int) -> Tensor:
    return _t(x).unsqueeze(axis)


# ************************************************************* constructors


def zeros(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return Tensor(np.zeros(_shape(shape)), dtype=dtype, requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(_shape(shape)), dtype=dtype, requires_grad=requires_grad)


def zeros_like(x: Tensor) -> Tensor:
    return Tensor(np.zeros_like(x.data), dtype=x.dtype)


def ones_like(x: Tensor) -> Tensor:
    return Tensor(np.ones_like(x.data), dtype=x.dtype)


def randn(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False,
          generator: np.random.Generator | None = None) -> Tensor:
    """Standard normal samples from ``generator`` (default: the global one of manual_seed)."""
    data = _random.resolve(generator).standard_normal(_shape(shape))
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def rand(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False,
         generator: np.random.Generator | None = None) -> Tensor:
    """Uniform [0, 1) samples from ``generator`` (default: the global one of manual_seed)."""
    data = _random.resolve(generator).random(_shape(shape))
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)
