"""Tensor's reductions, shape methods and torch-named aliases, mixed into ``Tensor``.

Every reduction and shape method takes NumPy's ``axis=`` / ``keepdims=`` and
torch's ``dim=`` / ``keepdim=`` alike (both at once is an error). The aliases
(``view``, ``to``, ``add``, ``clamp``, ``size()``, ...; ``argmax``, ``expand``, ``cumsum``
and the other entry-point ops are attached by ``entry/methods.py``) dispatch to
the same ops as the operators, so a PyTorch script ports by changing imports.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

import chainrule.autograd as _ag  # resolved at call time: autograd imports this module first
from chainrule.autograd.axes import pick_axis

Axis = int | tuple[int, ...] | None

MaxResult = namedtuple("MaxResult", ["values", "indices"])  # torch's ``max(dim=)`` result


def _keep(keepdims: bool, keepdim: bool | None, op: str) -> bool:
    return bool(pick_axis(op, keepdims or None, keepdim, False, ("keepdims", "keepdim")))


def _dtype(dtype: Any) -> np.dtype:
    """A NumPy dtype from a dtype, its name, or a torch dtype such as ``torch.float64``."""
    name = str(dtype).removeprefix("torch.")
    try:
        return np.dtype(name if name in ("float64", "float32", "float16", "int64", "int32",
                                         "int16", "int8", "uint8", "bool") else dtype)
    except TypeError:
        raise TypeError(f"to: {dtype!r} is neither a dtype nor the device 'cpu'") from None


def _floating(t: Any) -> Any:
    """``t`` itself if floating, else its values as float32 (the default dtype, as torch)."""
    if t.data.dtype.kind in "fc":
        return t
    return type(t)._wrap(t.data.astype(np.float32))


class TensorMethods:
    """Reductions, shape methods and torch's aliases (``Tensor`` inherits them)."""

    __slots__ = ()

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
            keepdim: bool | None = None) -> Any:
        """Sum over ``axis`` (``dim``); every axis when None."""
        axis, keepdims = pick_axis("sum", axis, dim), _keep(keepdims, keepdim, "sum")
        if axis is None and not keepdims:  # the defaults not passed on: 7.1 vs 9.1 us (timeit)
            return _ag.ops.Sum.apply(self)
        return _ag.ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
             keepdim: bool | None = None) -> Any:
        """Mean over ``axis`` (``dim``)."""
        return _ag.ops.Mean.apply(_floating(self), axis=pick_axis("mean", axis, dim),
                                  keepdims=_keep(keepdims, keepdim, "mean"))

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0, *, dim: Axis = None,
            keepdim: bool | None = None, correction: int | None = None,
            unbiased: bool | None = None) -> Any:
        """Variance sum((x - mean)^2) / (n - ddof); ``correction`` / ``unbiased`` are torch's
        names for ddof. Default ddof=0 (NumPy's biased form; torch's default is 1)."""
        if correction is not None or unbiased is not None:
            ddof = correction if correction is not None else int(bool(unbiased))
        return _ag.ops.Var.apply(_floating(self), axis=pick_axis("var", axis, dim),
                                 keepdims=_keep(keepdims, keepdim, "var"), ddof=ddof)

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0, *, dim: Axis = None,
            keepdim: bool | None = None, correction: int | None = None,
            unbiased: bool | None = None) -> Any:
        """Standard deviation: the square root of :meth:`var` (same arguments)."""
        return self.var(axis, keepdims, ddof, dim=dim, keepdim=keepdim, correction=correction,
                        unbiased=unbiased).sqrt()

    def _extreme(self, op: Any, axis: Axis, keepdims: bool, dim: Axis,
                 keepdim: bool | None) -> Any:
        name = op.__name__.lower()
        keep = _keep(keepdims, keepdim, name)
        values = op.apply(self, axis=pick_axis(name, axis, dim), keepdims=keep)
        if dim is None or isinstance(dim, tuple):
            return values
        # torch's max(dim=) / min(dim=): the values and the indices of the first winners
        pick = self.data.argmax if name == "max" else self.data.argmin
        indices = np.asarray(pick(axis=dim, keepdims=keep) if self.data.ndim else 0)
        return MaxResult(values, type(self)._wrap(indices))

    def max(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
            keepdim: bool | None = None) -> Any:
        """Maximum over ``axis``; with torch's ``dim=`` a (values, indices) pair, as torch."""
        return self._extreme(_ag.ops.Max, axis, keepdims, dim, keepdim)

    def min(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
            keepdim: bool | None = None) -> Any:
        """Minimum over ``axis``; with torch's ``dim=`` a (values, indices) pair, as torch."""
        return self._extreme(_ag.ops.Min, axis, keepdims, dim, keepdim)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
                  keepdim: bool | None = None) -> Any:
        """log(sum(exp(x))) over ``axis`` (``dim``), stably."""
        axis = pick_axis("logsumexp", axis, dim)
        return _ag.ops.LogSumExp.apply(_floating(self), axis=axis,
                                       keepdims=_keep(keepdims, keepdim, "logsumexp"))

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape: int | tuple[int, ...]) -> Any:
        """The same elements in a new shape (one -1 allowed)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ag.ops.Reshape.apply(self, shape=shape)

    view = reshape  # arrays have no strides to honour here: a view where NumPy can make one

    def transpose(self, *axes: int | tuple[int, ...], dim0: int | None = None,
                  dim1: int | None = None) -> Any:
        """NumPy's permutation (``transpose(2, 0, 1)``, reversed when none), or torch's swap
        of two axes (``transpose(dim0, dim1)``: exactly two ints)."""
        if dim0 is not None or dim1 is not None:
            axes = (dim0, dim1)
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])  # a permutation given as one sequence
        elif len(axes) == 2:  # torch's swap (on a matrix NumPy's (1, 0) means the same)
            order = list(range(self.data.ndim))
            a, b = (_ag.ops.reduce.normalize_axes(x, self.data.ndim) for x in axes)
            if a and b:
                order[a[0]], order[b[0]] = order[b[0]], order[a[0]]
            axes = tuple(order)
        return _ag.ops.Transpose.apply(self, axes=axes or None)

    def permute(self, *axes: int, dims: tuple[int, ...] | None = None) -> Any:
        """Reorder the axes (torch's ``permute(*dims)``)."""
        if dims is not None:
            axes = tuple(dims)
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ag.ops.Transpose.apply(self, axes=axes)

    def broadcast_to(self, shape: tuple[int, ...]) -> Any:
        """Broadcast to ``shape`` (NumPy's rules)."""
        return _ag.ops.BroadcastTo.apply(self, shape=tuple(shape))

    def squeeze(self, axis: Axis = None, *, dim: Axis = None) -> Any:
        """Drop size-1 axes (all, or the ones named)."""
        return _ag.ops.Squeeze.apply(self, axis=pick_axis("squeeze", axis, dim))

    def unsqueeze(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        """Insert a size-1 axis at ``axis`` (``dim``)."""
        axis = pick_axis("unsqueeze", axis, dim)
        if axis is None:
            raise TypeError("unsqueeze: missing the axis (dim) to insert")
        return _ag.ops.Unsqueeze.apply(self, axis=axis)

    def flatten(self, start_axis: int = 0, end_axis: int = -1, *, start_dim: int | None = None,
                end_dim: int | None = None) -> Any:
        """Merge axes ``start_axis..end_axis`` (torch: ``start_dim..end_dim``) into one."""
        if start_dim is not None:
            start_axis = pick_axis("flatten", start_axis or None, start_dim,
                                   names=("start_axis", "start_dim"))
        if end_dim is not None:
            end_axis = pick_axis("flatten", None if end_axis == -1 else end_axis, end_dim,
                                 names=("end_axis", "end_dim"))
        return _ag.api.flatten(self, start_axis, end_axis)

    def contiguous(self) -> Any:
        """The tensor itself: ops return C-ordered arrays or copy where NumPy needs one."""
        return self

    # ------------------------------------------------------- torch's aliases
    def numel(self) -> int:
        """The number of elements."""
        return int(self.data.size)

    def dim(self) -> int:
        """The number of axes (``ndim``)."""
        return self.data.ndim

    def size(self, dim: int | None = None) -> Any:
        """torch's ``size()``: the shape, or the length of axis ``dim``. (NumPy's ``.size``,
        the element count, is :meth:`numel`.)"""
        shape = self.data.shape
        if dim is None:
            return shape
        return shape[_ag.ops.reduce.normalize_axes(dim, len(shape))[0]]

    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> Any:
        """``to(dtype)`` converts like :meth:`astype`; ``to("cpu")`` is the tensor itself."""
        dtype = kwargs.pop("dtype", dtype)
        if kwargs.pop("device", "cpu") != "cpu" or kwargs:
            raise TypeError(f"to: only a dtype and device='cpu' are supported, got {kwargs}")
        if dtype is None or str(dtype) == "cpu":
            return self if not args else self.to(*args)
        return self.astype(_dtype(dtype))

    def long(self) -> Any:
        return self.astype(np.int64)

    def int(self) -> Any:
        return self.astype(np.int32)

    def bool(self) -> Any:
        return self.astype(np.bool_)

    def pow(self, exponent: Any) -> Any:
        return _ag.api.pow(self, exponent)

    def neg(self) -> Any:
        return -self

    def add(self, other: Any, *, alpha: float = 1) -> Any:
        """self + alpha * other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: float = 1) -> Any:
        """self - alpha * other."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Any:
        return self * other

    def div(self, other: Any) -> Any:
        return self / other

    def matmul(self, other: Any) -> Any:
        return self @ other

    def clamp(self, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002
        """Clamp into [min, max] (torch's name for :meth:`clip`)."""
        return _ag.api.clip(self, min, max)
