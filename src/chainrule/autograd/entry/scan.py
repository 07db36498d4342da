"""Entry points of the scans: cumsum, cumprod, logcumsumexp, cummax and cummin.

``dim`` is required, as in torch (``axis=`` works too). cummax and cummin return
``(values, indices)``; their values gather along the axis, so each gradient goes back to
the element the running extreme came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.axes import check_axis, pick_axis
from chainrule.autograd.entry.args import as_tensor as _t
from chainrule.autograd.entry.sort import ValuesIndices, gather_along
from chainrule.autograd.ops.scan import CumProd, CumSum, LogCumSumExp
from chainrule.autograd.tensor import Tensor, _floating

__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]


def _axis(op: str, x: Tensor, dim: Any, axis: Any) -> int:
    d = pick_axis(op, axis, dim)
    if d is None:
        raise TypeError(f"{op}: the dimension to scan along is required (dim=...)")
    return check_axis(op, d, x.ndim)


def cumsum(input: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:  # noqa: A002
    """Running sum along ``dim``: out_k = sum_{j <= k} x_j (integers and bools give int64)."""
    x = _t(input)
    if x.dtype.kind in "biu":
        x = Tensor._wrap(x.data.astype(np.int64))
    return CumSum.apply(x, axis=_axis("cumsum", x, dim, axis))


def cumprod(input: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:  # noqa: A002
    """Running product along ``dim``: out_k = prod_{j <= k} x_j (exact gradient at zeros)."""
    x = _t(input)
    if x.dtype.kind in "biu":
        x = Tensor._wrap(x.data.astype(np.int64))
    return CumProd.apply(x, axis=_axis("cumprod", x, dim, axis))


def logcumsumexp(input: Any, dim: int | None = None, *,  # noqa: A002
                 axis: int | None = None) -> Tensor:
    """Running log(sum(exp(x))) along ``dim``, computed stably in log space."""
    x = _floating(_t(input))
    return LogCumSumExp.apply(x, axis=_axis("logcumsumexp", x, dim, axis))


def _running_best(op: str, pick: np.ufunc, input: Any, dim: Any, axis: Any) -> ValuesIndices:
    x = _t(input)
    ax = _axis(op, x, dim, axis)
    a = x.data.reshape(x.shape or (1,))
    best = pick.accumulate(a, axis=ax)
    # the latest position holding the running best (ties move the index, as torch)
    where = np.arange(a.shape[ax]).reshape((-1,) + (1,) * (a.ndim - ax - 1))
    indices = np.maximum.accumulate(np.where(a == best, where, 0), axis=ax).reshape(x.shape)
    return ValuesIndices(gather_along(x, indices, ax), Tensor._wrap(indices.astype(np.int64)))


def cummax(input: Any, dim: int | None = None, *, axis: int | None = None) -> ValuesIndices:  # noqa: A002
    """Running maximum along ``dim`` and where it was found: ``(values, indices)``.

    The gradient of each value goes to the element it came from.
    """
    return _running_best("cummax", np.maximum, input, dim, axis)


def cummin(input: Any, dim: int | None = None, *, axis: int | None = None) -> ValuesIndices:  # noqa: A002
    """Running minimum along ``dim`` and where it was found: ``(values, indices)``."""
    return _running_best("cummin", np.minimum, input, dim, axis)
