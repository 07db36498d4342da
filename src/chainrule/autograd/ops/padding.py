"""Padding by index maps: reflect, replicate and circular modes (constant padding is
``shape.Pad``).

Along each padded axis the output position p in [-lo, n + hi) reads input position
reflect: |p| mirrored at both ends without repeating the edge; replicate: p clipped into
[0, n); circular: p mod n. The forward takes those positions axis by axis; the backward
sums the gradient of every output position into the input position it read, one small
one-hot matrix product per axis.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


def source_positions(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """For each of the n + lo + hi output positions, the input position it copies."""
    p = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        p = np.abs(p) % period if period else np.zeros_like(p)
        return np.where(p >= n, period - p, p)
    if mode == "replicate":
        return np.clip(p, 0, n - 1)
    return p % n  # circular


class PadIndexed(Function):
    """Pad with ``mode`` in {"reflect", "replicate", "circular"}; ``widths`` maps an axis to
    its (before, after) amounts.
    """

    def forward(self, a: np.ndarray, mode: str, widths: dict[int, tuple[int, int]]) -> np.ndarray:
        self.maps = {ax: source_positions(mode, a.shape[ax], lo, hi)
                     for ax, (lo, hi) in widths.items()}
        self.shape = a.shape
        return self._take(a)

    def _take(self, x: np.ndarray) -> np.ndarray:
        for ax, positions in self.maps.items():
            x = np.take(x, positions, axis=ax)
        return x

    def backward(self, g: np.ndarray) -> np.ndarray:
        for ax, positions in reversed(self.maps.items()):
            onehot = np.zeros((positions.size, self.shape[ax]), dtype=g.dtype)
            onehot[np.arange(positions.size), positions] = 1
            g = np.moveaxis(np.tensordot(g, onehot, axes=([ax], [0])), -1, ax)
        return np.ascontiguousarray(g)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self._take(ta)
