"""gather and scatter with torch's semantics (the entry points, with index_select,
masked_fill, masked_select, one_hot and nonzero, are in ``chainrule.autograd.entry.index``).

``gather``/``scatter`` address one axis with an index tensor of the input's ndim (other
axes count up), exactly as torch: out[i][j] = input[index[i][j]][j] for dim 0. The index
may be smaller than the input on every axis. Gradients go back through the same
addressing: gather's backward scatter-adds, scatter's backward gathers.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.shape import _scatter_add


def _address(op: str, shape: tuple[int, ...], index: np.ndarray, axis: int,
             src: tuple[int, ...] | None = None) -> tuple[np.ndarray, ...]:
    """The fancy index that sends ``index``'s positions to ``shape`` along ``axis``."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got {index.dtype}")
    if index.ndim != len(shape):
        raise ValueError(f"{op}: index of shape {index.shape} must have as many dimensions "
                         f"as the input of shape {shape}")
    for d, (n, m) in enumerate(zip(index.shape, shape, strict=True)):
        if d != axis and n > m or src is not None and n > src[d]:
            raise ValueError(f"{op}: index of shape {index.shape} is larger than the input "
                             f"{shape}" + (f" or the source {src}" if src else "")
                             + f" at dim {d}")
    n = shape[axis] if shape else 1
    if index.size and (index.min() < 0 or index.max() >= n):  # torch: no negative indices
        raise IndexError(f"{op}: index values must lie in [0, {n}) for dim {axis} of "
                         f"size {n}, got [{index.min()}, {index.max()}]")
    if not shape:
        return ()  # a 0-d input: index 0 is the element itself
    grids = list(np.ogrid[tuple(slice(k) for k in index.shape)])
    grids[axis] = index
    return tuple(grids)


class Gather(Function):
    """out[..., i, ...] = a[..., index[..., i, ...], ...] along ``axis``; backward scatter-adds."""

    def forward(self, a: np.ndarray, index: np.ndarray, axis: int) -> np.ndarray:
        self.shape = a.shape
        self.where = _address("gather", a.shape, index, axis)
        return np.array(a[self.where])

    def backward(self, g: np.ndarray) -> np.ndarray:
        return _scatter_add(self.shape, self.where, g, basic=not self.where)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.array(ta[self.where])


class Scatter(Function):
    """A copy of ``a`` with src's leading block written at ``index`` along ``axis``.

    Gradients: ``a`` gets g where nothing was written; ``src`` gets g gathered at the
    written positions. With ``add`` the block is added instead (``scatter_add``), and ``a``
    gets all of g.
    """

    def forward(self, a: np.ndarray, src: np.ndarray, index: np.ndarray, axis: int,
                add: bool) -> np.ndarray:
        op = "scatter_add" if add else "scatter"
        src = np.broadcast_to(src, index.shape) if src.ndim == 0 else src
        self.where = _address(op, a.shape, index, axis, src.shape)
        self.block = tuple(slice(k) for k in index.shape)
        self.src_shape, self.add = src.shape, add
        out = a.copy()
        if add:
            np.add.at(out, self.where, src[self.block])
        else:
            out[self.where] = src[self.block]
        return out

    def _src_grad(self, g: np.ndarray) -> np.ndarray:
        out = np.zeros(self.src_shape, dtype=g.dtype)
        out[self.block] = g[self.where]
        return out

    def backward(self, g: np.ndarray) -> tuple:
        ga = g
        if not self.add and self.needs_input_grad[0]:
            ga = g.copy()
            ga[self.where] = 0
        return ga, (self._src_grad(g) if self.needs_input_grad[1] else None)

    def jvp(self, ta: np.ndarray, tsrc: np.ndarray) -> np.ndarray:
        tsrc = np.broadcast_to(tsrc, self.src_shape)
        out = ta.copy()
        if self.add:
            np.add.at(out, self.where, tsrc[self.block])
        else:
            out[self.where] = tsrc[self.block]
        return out
