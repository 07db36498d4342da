"""Entry points: module-level forms of the ops (``cr.exp(x)``, ``cr.stack(ts)``), constructors.

The ops in ``ops/`` work on ndarrays only; the helpers here turn user
arguments (tensors, arrays, scalars, index expressions) into their inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd import ops
from chainrule.autograd.axes import pick_axis
from chainrule.autograd.entry.args import as_floating, as_tensor  # noqa: F401 -- re-exported
from chainrule.autograd.entry.creation import *  # noqa: F403
from chainrule.autograd.entry.creation import __all__ as _creation
from chainrule.autograd.entry.einsum import einsum
from chainrule.autograd.entry.elementwise import *  # noqa: F403
from chainrule.autograd.entry.elementwise import __all__ as _elementwise
from chainrule.autograd.entry.index import *  # noqa: F403
from chainrule.autograd.entry.index import __all__ as _index
from chainrule.autograd.entry.logical import *  # noqa: F403
from chainrule.autograd.entry.logical import __all__ as _logical
from chainrule.autograd.entry.rearrange import *  # noqa: F403
from chainrule.autograd.entry.rearrange import __all__ as _rearrange
from chainrule.autograd.entry.scan import *  # noqa: F403
from chainrule.autograd.entry.scan import __all__ as _scan
from chainrule.autograd.entry.sort import *  # noqa: F403
from chainrule.autograd.entry.sort import __all__ as _sort
from chainrule.autograd.ops.reduce import normalize_axes
from chainrule.autograd.tensor import _FLOAT_KINDS, Tensor, tensor

__all__ = [
    "abs", "broadcast_to", "cat", "clip", "concatenate", "exp", "flatten", "log", "logsumexp",
    "matmul", "max", "maximum", "mean", "min", "minimum", "pad", "permute",
    "reshape", "sqrt", "squeeze", "stack", "sum", "take_along_axis", "transpose",
    "unsqueeze", "var", "where",
    "einsum", *_creation, *_elementwise, *_index, *_logical, *_rearrange, *_scan, *_sort,
]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


# ************************************************************* entry points


def pow(base: Tensor, exponent: Any) -> Tensor:  # noqa: A001 -- mirrors torch.pow
    """base ** exponent, with a constant (scalar) or a tensor exponent.

    An integer base meets a floating exponent as in torch: the result is
    float32 (``int ** 2.0``, ``int ** -1.0``); an integer exponent keeps it integer.
    """
    base = _t(base)
    if not isinstance(exponent, Tensor) and np.ndim(exponent) == 0:
        floating = np.asarray(exponent).dtype.kind in _FLOAT_KINDS
        if floating and base.data.dtype.kind not in _FLOAT_KINDS:
            base = base.astype(np.float32)
        return ops.PowScalar.apply(base, exponent=float(exponent))
    return ops.PowTensor.apply(*base._operands(exponent))


def clip(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Clamp ``a`` into [min, max]; either bound may be None."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    return ops.Clip.apply(_t(a), lo=min, hi=max)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elements of ``a`` where ``cond`` is true, of ``b`` elsewhere (NumPy broadcasting)."""
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    if not isinstance(a, Tensor):
        b, a = b._operands(a) if isinstance(b, Tensor) else (b, Tensor(a))
    return ops.Where.apply(*a._operands(b), cond=cond)


def _index_array(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def getitem(a: Tensor, index: Any) -> Tensor:
    """``a[index]``; the gradient of repeated integer indices accumulates."""
    return ops.GetItem.apply(a, index=_index_array(index))


def flatten(a: Tensor, start_axis: int = 0, end_axis: int = -1, **torch_names: Any) -> Tensor:
    """Merge axes ``start_axis..end_axis`` (inclusive; torch: ``start_dim``, ``end_dim``)."""
    a = _t(a)
    if torch_names:
        return a.flatten(start_axis, end_axis, **torch_names)
    if a.ndim == 0:
        return a.reshape(1)
    start, end = normalize_axes(start_axis, a.ndim)[0], normalize_axes(end_axis, a.ndim)[0]
    if start > end:
        raise ValueError(f"flatten: start_axis {start_axis} comes after end_axis {end_axis}")
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1:])


def concatenate(tensors: list[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (torch: ``cat(tensors, dim)``)."""
    axis = axis if dim is None else pick_axis("concatenate", None if axis == 0 else axis, dim)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    items = _as_tensors(tensors)
    return ops.Concatenate.apply(*items, axis=normalize_axes(axis, items[0].ndim or 1)[0])


cat = concatenate  # torch's name


def stack(tensors: list[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join equally shaped tensors along a new axis (``axis`` in [-ndim - 1, ndim])."""
    axis = axis if dim is None else pick_axis("stack", None if axis == 0 else axis, dim)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    items = _as_tensors(tensors)
    ndim = items[0].ndim
    if not -ndim - 1 <= axis <= ndim:
        raise ValueError(f"stack: axis {axis} is out of range for tensors with {ndim} "
                         f"dimensions (the result has {ndim + 1}: axis in [{-ndim - 1}, {ndim}])")
    return ops.Stack.apply(*items, axis=axis % (ndim + 1))


def _as_tensors(items: list[Any]) -> list[Tensor]:
    first = next((t for t in items if isinstance(t, Tensor)), None)
    if first is None:
        return [Tensor(t) for t in items]
    return [first._other(t) for t in items]


def take_along_axis(a: Tensor, indices: Any, axis: int | None = None, *,
                    dim: int | None = None) -> Tensor:
    """Pick values along ``axis`` (``dim``) at ``indices`` (same ndim as ``a``)."""
    axis = pick_axis("take_along_axis", axis, dim)
    return ops.TakeAlongAxis.apply(_t(a), indices=np.asarray(_index_array(indices)), axis=axis)


def pad(a: Tensor, pad_width: Any, value: float = 0.0) -> Tensor:
    """Pad with a constant ``value``; ``pad_width`` as in ``np.pad``."""
    return ops.Pad.apply(_t(a), pad_width=pad_width, value=value)


# ************************************************************* module-level forms


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


def sum(x: Any, axis: Any = None, keepdims: bool = False, **torch_names: Any) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (torch: ``dim``, ``keepdim``)."""
    return _t(x).sum(axis, keepdims, **torch_names)


def mean(x: Any, axis: Any = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
    """Mean over ``axis`` (torch: ``dim``, ``keepdim``)."""
    return _t(x).mean(axis, keepdims, **torch_names)


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0,
        **torch_names: Any) -> Tensor:
    """Variance over ``axis`` with ``ddof`` as NumPy (0: biased; torch's ``correction``)."""
    return _t(x).var(axis, keepdims, ddof, **torch_names)


def max(x: Any, axis: Any = None, keepdims: bool = False, **torch_names: Any) -> Any:  # noqa: A001
    """Maximum over ``axis``; with torch's ``dim=`` (values, indices)."""
    return _t(x).max(axis, keepdims, **torch_names)


def min(x: Any, axis: Any = None, keepdims: bool = False, **torch_names: Any) -> Any:  # noqa: A001
    """Minimum over ``axis``; with torch's ``dim=`` (values, indices)."""
    return _t(x).min(axis, keepdims, **torch_names)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, **torch_names: Any) -> Tensor:
    """log(sum(exp(x))) over ``axis`` (torch: ``dim``, ``keepdim``)."""
    return _t(x).logsumexp(axis, keepdims, **torch_names)


def reshape(x: Any, shape: tuple[int, ...]) -> Tensor:
    return _t(x).reshape(shape)


def transpose(x: Any, *axes: Any, **torch_names: Any) -> Tensor:
    """NumPy's permutation ``transpose(x, (2, 0, 1))`` or torch's swap ``transpose(x, 0, 1)``."""
    return _t(x).transpose(*axes, **torch_names)


def permute(x: Any, *axes: Any, **torch_names: Any) -> Tensor:
    """Reorder the axes: ``permute(x, (2, 0, 1))`` or ``permute(x, 2, 0, 1)``."""
    return _t(x).permute(*axes, **torch_names)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Tensor:
    return _t(x).broadcast_to(shape)


def squeeze(x: Any, axis: Any = None, **torch_names: Any) -> Tensor:
    return _t(x).squeeze(axis, **torch_names)


def unsqueeze(x: Any, axis: int | None = None, **torch_names: Any) -> Tensor:
    return _t(x).unsqueeze(axis, **torch_names)
