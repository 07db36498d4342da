"""Rearrangements beyond reshape and transpose: roll, flip, tile (torch's ``repeat``),
repeat_interleave, tril/triu and diag. Each backward undoes its forward's movement:
roll back, flip again, sum the copies, keep the masked triangle, read the diagonal.

(split, chunk, unbind and expand need no op of their own: they slice and broadcast.)
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


class Roll(Function):
    """Shift elements by ``shifts`` along ``axes`` with wrap-around; backward rolls back."""

    def forward(self, a: np.ndarray, shifts: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
        self.shifts, self.axes = shifts, axes
        return np.roll(a, shifts, axes)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.roll(g, tuple(-s for s in self.shifts), self.axes)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.roll(ta, self.shifts, self.axes)


class Flip(Function):
    """Reverse the order along ``axes``; its own inverse."""

    def forward(self, a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        self.axes = axes
        return np.flip(a, axes).copy()

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.flip(g, self.axes).copy()

    jvp = backward


class Tile(Function):
    """Copies of ``a`` laid side by side ``reps[i]`` times along axis i (torch's ``repeat``).

    ``reps`` may be longer than ``a.ndim`` (new leading axes). Backward views the gradient
    as (r0, n0, r1, n1, ...) and sums over the copies.
    """

    def forward(self, a: np.ndarray, reps: tuple[int, ...]) -> np.ndarray:
        self.shape = a.shape
        self.base = (1,) * (len(reps) - a.ndim) + a.shape
        self.reps = reps
        return np.tile(a.reshape(self.base), reps)

    def backward(self, g: np.ndarray) -> np.ndarray:
        split = [n for pair in zip(self.reps, self.base, strict=True) for n in pair]
        return g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.tile(ta.reshape(self.base), self.reps)


class RepeatInterleave(Function):
    """Each element repeated ``repeats`` times in place along ``axis``; backward sums each run."""

    def forward(self, a: np.ndarray, repeats: np.ndarray, axis: int) -> np.ndarray:
        self.repeats, self.axis, self.shape = repeats, axis, a.shape
        return np.repeat(a, repeats, axis=axis)

    def backward(self, g: np.ndarray) -> np.ndarray:
        counts = np.broadcast_to(self.repeats, (self.shape[self.axis],))
        out = np.zeros(self.shape, dtype=g.dtype)
        kept = np.flatnonzero(counts)  # reduceat cannot sum an empty run: those stay 0
        if kept.size:
            starts = (np.cumsum(counts) - counts)[kept]
            sums = np.add.reduceat(g, starts, axis=self.axis)
            where = [slice(None)] * g.ndim
            where[self.axis] = kept
            out[tuple(where)] = sums
        return out

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.repeat(ta, self.repeats, axis=self.axis)


class Triangle(Function):
    """The lower (``upper=False``) or upper triangle of the last two axes, from ``diagonal``
    on; the rest is zero, and so is its gradient.
    """

    def forward(self, a: np.ndarray, diagonal: int, upper: bool) -> np.ndarray:
        rows, cols = a.shape[-2:]
        keep = np.tri(rows, cols, diagonal - 1 if upper else diagonal, dtype=bool)
        self.keep = ~keep if upper else keep
        return np.where(self.keep, a, a.dtype.type(0))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.where(self.keep, g, g.dtype.type(0))

    jvp = backward


class Diag(Function):
    """A 1-D tensor to the matrix with it on diagonal ``k``, or a matrix's diagonal ``k`` as
    a 1-D tensor (``np.diag``); each direction's backward is the other one.
    """

    def forward(self, a: np.ndarray, k: int) -> np.ndarray:
        self.k, self.shape = k, a.shape
        return np.diag(a, k).copy()

    def backward(self, g: np.ndarray) -> np.ndarray:
        if len(self.shape) == 1:
            return np.diagonal(g, self.k).copy()
        out = np.zeros(self.shape, dtype=g.dtype)
        rows = np.arange(g.size) + max(-self.k, 0)
        out[rows, rows + self.k] = g
        return out

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.diag(ta, self.k).copy()
