"""Entry points for ordering and the remaining reductions: sort, argsort, topk,
argmax/argmin, prod, any, all.

Ops that pick elements (sort, topk) work out the indices on the data and then gather
along the axis, so the gradient of each picked value goes back to where it came from.
Indices are int64, as in torch.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from chainrule.autograd.axes import check_axis, pick_axis, pick_keepdim
from chainrule.autograd.entry.args import as_tensor as _t
from chainrule.autograd.ops.shape import TakeAlongAxis
from chainrule.autograd.ops.sort import Prod
from chainrule.autograd.tensor import Tensor

__all__ = ["all", "any", "argmax", "argmin", "argsort", "prod", "sort", "topk"]


class ValuesIndices(NamedTuple):
    """``(values, indices)`` as torch's sort, topk, cummax and cummin return them."""

    values: Tensor
    indices: Tensor


def gather_along(x: Tensor, indices: np.ndarray, axis: int) -> Tensor:
    """x's values at ``indices`` along ``axis`` (same ndim; a 0-d x is one element)."""
    if x.ndim == 0:
        return TakeAlongAxis.apply(x.reshape(1), indices=indices.reshape(1), axis=0).reshape(())
    return TakeAlongAxis.apply(x, indices=indices, axis=axis)


def _order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``axis``; NaN counts as the largest value (as torch)."""
    a = a.reshape(a.shape or (1,))
    if descending:
        if a.dtype.kind in "bu":
            a = a.astype(np.int64)
        a = np.where(np.isnan(a), -np.inf, -a) if a.dtype.kind == "f" else -a
    return np.argsort(a, axis=axis, kind="stable")


def _dim(op: str, x: Tensor, dim: Any, axis: Any, default: Any = -1) -> int:
    return check_axis(op, pick_axis(op, axis, dim, default), x.ndim)


def sort(input: Any, dim: int | None = None, descending: bool = False,  # noqa: A002
         stable: bool = False, *, axis: int | None = None) -> ValuesIndices:
    """Sorted values along ``dim`` (default -1) and their original positions.

    The sort is always stable (equal values keep their order), which ``stable=False``
    allows too. Returns ``(values, indices)``.
    """
    x = _t(input)
    ax = _dim("sort", x, dim, axis)
    order = _order(x.data, ax, descending).reshape(x.shape)
    return ValuesIndices(gather_along(x, order, ax), Tensor._wrap(order.astype(np.int64)))


def argsort(input: Any, dim: int | None = None, descending: bool = False,  # noqa: A002
            stable: bool = False, *, axis: int | None = None) -> Tensor:
    """The positions that sort ``input`` along ``dim`` (default -1); stable, int64."""
    x = _t(input)
    order = _order(x.data, _dim("argsort", x, dim, axis), descending)
    return Tensor._wrap(order.reshape(x.shape).astype(np.int64))


def topk(input: Any, k: int, dim: int | None = None, largest: bool = True,  # noqa: A002
         sorted: bool = True, *, axis: int | None = None) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` (default -1) and their positions.

    Values come out sorted, largest first for ``largest=True``. Returns ``(values, indices)``.
    """
    x = _t(input)
    ax = _dim("topk", x, dim, axis)
    n = x.shape[ax] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for dim {ax} of size {n} "
                         f"(shape {x.shape})")
    if x.ndim == 0:  # torch gives the element itself for k = 0 and 1
        order = np.zeros((), dtype=np.int64)
    else:
        order = np.take(_order(x.data, ax, largest), np.arange(k), axis=ax)
    return ValuesIndices(gather_along(x, order, ax), Tensor._wrap(order.astype(np.int64)))


def _arg_best(op: str, fn: Any, input: Any, dim: Any, keepdim: bool, axis: Any,
              keepdims: bool | None) -> Tensor:
    x = _t(input)
    d = pick_axis(op, axis, dim)
    keep = pick_keepdim(op, keepdim, keepdims)
    if x.data.size == 0:
        raise ValueError(f"{op}: empty tensor of shape {x.shape} has no {op[3:]}imum")
    if d is None:
        flat = fn(x.data.reshape(-1))
        return Tensor._wrap(np.full((1,) * x.ndim if keep else (), flat, dtype=np.int64))
    ax = check_axis(op, d, x.ndim)
    a = x.data.reshape(x.shape or (1,))
    out = fn(a, axis=ax, keepdims=keep).astype(np.int64)
    return Tensor._wrap(out.reshape(x.shape) if x.ndim == 0 else out)


def argmax(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
           axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Position of the largest value along ``dim`` (of the flattened tensor when None).

    Ties give the first position. int64; ``keepdim`` keeps the reduced axis as size 1.
    """
    return _arg_best("argmax", np.argmax, input, dim, keepdim, axis, keepdims)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
           axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Position of the smallest value along ``dim`` (of the flattened tensor when None)."""
    return _arg_best("argmin", np.argmin, input, dim, keepdim, axis, keepdims)




def prod(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
         axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Product of the elements along ``dim`` (all of them when None); integers give int64."""
    x = _t(input)
    d = pick_axis("prod", axis, dim)
    keep = pick_keepdim("prod", keepdim, keepdims)
    if x.dtype.kind in "biu":
        x = Tensor._wrap(x.data.astype(np.int64))
    if d is not None:
        d = check_axis("prod", d, x.ndim)
        if x.ndim == 0:
            d = None
    return Prod.apply(x, axis=d, keepdims=keep)


def _logical_reduce(op: str, fn: Any, input: Any, dim: Any, keepdim: bool, axis: Any,
                    keepdims: bool | None) -> Tensor:
    x = _t(input)
    d = pick_axis(op, axis, dim)
    keep = pick_keepdim(op, keepdim, keepdims)
    if d is not None and not isinstance(d, tuple):
        d = check_axis(op, d, x.ndim) if x.ndim else None
    return Tensor._wrap(np.asarray(fn(x.data, axis=d, keepdims=keep)))


def any(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A001, A002
        axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Whether any element along ``dim`` (all of them when None) is non-zero; bool."""
    return _logical_reduce("any", np.any, input, dim, keepdim, axis, keepdims)


def all(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A001, A002
        axis: int | None = None, keepdims: bool | None = None) -> Tensor:
    """Whether every element along ``dim`` (all of them when None) is non-zero; bool."""
    return _logical_reduce("all", np.all, input, dim, keepdim, axis, keepdims)

