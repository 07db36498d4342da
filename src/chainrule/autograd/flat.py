"""Flat parameter buffers: many tensors as views into one contiguous array.

With every parameter's ``.data`` a view into one float32 buffer and every
``.grad`` a view into another, an optimizer step is one fused pass over the
whole buffer instead of a Python loop over tensors, and ``zero_grad`` is one
fill. Code that updates parameters writes into ``param.data[...]`` and never
rebinds ``param.data``, so the views stay valid.
"""

from __future__ import annotations

import sys
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
        grad: the 1-D buffer of all gradients.
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
        self.grad = self._existing("grad")
        if self.grad is None:
            self.grad = np.zeros(int(self.offsets[-1]), dtype=dtype)
        for t, lo, hi in zip(self.tensors, self.offsets[:-1], self.offsets[1:], strict=True):
            view = self.data[lo:hi].reshape(t.data.shape)
            if not np.shares_memory(view, t.data):
                view[...] = t.data
                t.data = view
            gview = self.grad[lo:hi].reshape(t.data.shape)
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

    def zero_grad(self) -> None:
        """Zero every gradient: one fill of the buffer.

        Unless an array into it is held elsewhere (a ``.grad`` taken earlier,
        a slice of it, this ``grad``): then the tensors get a fresh zeroed
        buffer and that array keeps its values, as with torch's default
        ``set_to_none``. Either way the next backward adds into zeros.

        This replaced lazy zeroing (zero_grad only marked the gradients,
        backward overwrote marked ones, a read filled the rest), which could not
        keep torch's contract at any cost: an in-place write into ``.grad``
        after zero_grad was overwritten, and an array taken before it changed
        under its holder. The price, measured with benchmarks/engine_overhead.py's
        784-512-512-10 MLP step (670k parameters) on the shared 2-core machine
        at load 22 (timeit, 30 interleaved medians): this fill takes
        49 us (min; 0.3 ms median under load), against a step of 3.8 ms (min,
        batch 16, one BLAS thread) and 23.7 ms (batch 128): 1.3% and 0.2%;
        against the README's fast-state step at batch 128 (3.3 ms), 1.5%. A
        quiet batch-16 step near 1 ms would pay up to 5%.
        """
        views = 0
        for t in self.tensors:  # a held view: its refcount exceeds the slot's and the call's
            if t.grad is not None and t.grad.base is self.grad:
                views += 1
                if sys.getrefcount(t.grad) > 2:
                    views = -1
                    break
        # our own references: the attribute, getrefcount's argument, each tensor's view
        if views >= 0 and sys.getrefcount(self.grad) == 2 + views:
            self.grad.fill(0)
            return
        self.grad = np.zeros_like(self.grad)
        for t, lo, hi in zip(self.tensors, self.offsets[:-1], self.offsets[1:], strict=True):
            t.grad = self.grad[lo:hi].reshape(t.data.shape)

    def check(self) -> None:
        """Raise if a tensor's ``.data`` or ``.grad`` was rebound away from the buffer."""
        for i, t in enumerate(self.tensors):
            if not np.shares_memory(t.data, self.data) or t.grad is None or \
                    not np.shares_memory(t.grad, self.grad):
                raise RuntimeError(f"parameter {i} (shape {t.shape}) no longer lives in its "
                                   "flat buffer: update params with p.data[...] = ..., "
                                   "never p.data = ...")
