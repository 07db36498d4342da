"""Flat parameter buffers: many tensors as views into one contiguous array.

With every parameter's ``.data`` a view into one float32 buffer and every
``.grad`` a view into another, an optimizer step is one fused pass over the
whole buffer instead of a Python loop over tensors, and zeroing the gradients
costs no pass at all: ``zero_grad`` only marks them, the backward pass
overwrites marked gradients instead of adding to them, and whatever it did not
reach is filled with zeros when first read. Code that updates parameters
writes into ``param.data[...]`` and never rebinds ``param.data``, so the views
stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chainrule.autograd.tensor import Tensor


class FlatBuffer:
    """One contiguous ``data`` and ``grad`` array behind a sequence of tensors.

    Args:
        tensors: floating tensors of one dtype, each listed once. If they
            already are consecutive views of one buffer (in this order), that
            buffer is reused; otherwise their values are copied into a new one
            and each tensor's ``.data`` becomes a view of it. Each tensor's
            ``.grad`` becomes a view into ``grad`` (its current values kept).

    Attributes:
        data: the 1-D buffer of all values.
        grad: the 1-D buffer of all gradients (reading it writes any pending zeros).
        offsets: start of each tensor in the buffers (plus the total at the end).
    """

    def __init__(self, tensors: Sequence[Tensor]):
        self.tensors = list(tensors)
        if not self.tensors:
            raise ValueError("FlatBuffer needs at least one tensor")
        dtypes = {t.data.dtype for t in self.tensors}
        if len(dtypes) != 1 or next(iter(dtypes)).kind != "f":
            raise TypeError(f"FlatBuffer needs floating tensors of one dtype, got {dtypes}")
        if len({id(t) for t in self.tensors}) != len(self.tensors):
            raise ValueError("FlatBuffer: a tensor is listed twice")
        sizes = [t.data.size for t in self.tensors]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        dtype = self.tensors[0].data.dtype
        self.data = self._existing("data") if self._existing("data") is not None else \
            np.empty(int(self.offsets[-1]), dtype=dtype)
        self._grad = self._existing("grad")
        if self._grad is None:
            self._grad = np.zeros(int(self.offsets[-1]), dtype=dtype)
        for t, lo, hi in zip(self.tensors, self.offsets[:-1], self.offsets[1:], strict=True):
            view = self.data[lo:hi].reshape(t.data.shape)
            if not np.shares_memory(view, t.data):
                view[...] = t.data
                t.data = view
            gview = self._grad[lo:hi].reshape(t.data.shape)
            if t.grad is None or not np.shares_memory(gview, t.grad):
                if t.grad is not None:
                    gview[...] = t.grad
                t.grad = gview

    def _existing(self, attr: str) -> np.ndarray | None:
        """The 1-D buffer the tensors already tile, in order, if there is one."""
        arrays = [getattr(t, attr) for t in self.tensors]
        if any(a is None for a in arrays):
            return None
        base = arrays[0].base
        while base is not None and base.base is not None:
            base = base.base
        if base is None or base.ndim != 1 or base.size != self.offsets[-1]:
            return None
        start = base.__array_interface__["data"][0]
        step = base.itemsize
        for a, lo in zip(arrays, self.offsets[:-1], strict=True):
            if not a.flags.c_contiguous or a.__array_interface__["data"][0] != start + lo * step:
                return None
        return base

    @property
    def grad(self) -> np.ndarray:
        for t in self.tensors:
            if t._grad_stale:
                t._fill_pending_zeros()
        return self._grad

    def zero_grad(self) -> None:
        """Zero every gradient without a pass over memory.

        Each tensor is marked as holding a zero gradient, so the first gradient
        the engine delivers is written in place (a BLAS call's ``out=``, or a
        copy) instead of being added to zeros; a gradient the backward pass
        never reaches is filled with zeros when ``.grad`` (the tensor's or this
        buffer's) is next read. As with torch's ``set_to_none``, an array taken
        from ``.grad`` before ``zero_grad`` keeps its old values.
        """
        for t in self.tensors:
            t._grad_fresh = t._grad_stale = True

    def check(self) -> None:
        """Raise if a tensor's ``.data`` or ``.grad`` was rebound away from the buffer."""
        for i, t in enumerate(self.tensors):
            if not np.shares_memory(t.data, self.data) or t.grad is None or \
                    not np.shares_memory(t.grad, self.grad):
                raise RuntimeError(f"parameter {i} (shape {t.shape}) no longer lives in its "
                                   "flat buffer: update params with p.data[...] = ..., "
                                   "never p.data = ...")
