"""Products over an axis, with a gradient that stays exact where elements are zero.

The other ordering ops (sort, topk, argmax, ...) only pick elements: their entry points in
``chainrule.autograd.entry.sort`` gather along the axis, so they need no op of their own.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


class Prod(Function):
    """Product over ``axis`` (None: all); grad_i = prod_{j != i} a_j, exact at zeros.

    With no zero in a slice that is out / a_i. With one zero only that element has a
    non-zero gradient (the product of the others); with two or more every gradient is 0.
    """

    def forward(self, a: np.ndarray, axis: int | None, keepdims: bool) -> np.ndarray:
        self.a, self.axis, self.keepdims = a, axis, keepdims
        zero = a == 0
        self.zeros = np.add.reduce(zero, axis=axis, keepdims=True)
        self.others = np.multiply.reduce(np.where(zero, 1, a), axis=axis, keepdims=True)
        out = np.where(self.zeros > 0, 0, self.others).astype(a.dtype, copy=False)
        return out if keepdims else np.squeeze(out, axis)

    def _partials(self) -> np.ndarray:
        a, zero = self.a, self.a == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            none = self.others / np.where(zero, 1, a)
        partial = np.where(self.zeros == 0, none, np.where(zero & (self.zeros == 1),
                                                           self.others, 0))
        return partial.astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> np.ndarray:
        if not self.keepdims:
            g = np.expand_dims(g, self.axis) if self.axis is not None else g.reshape(
                (1,) * self.a.ndim)
        return g * self._partials()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        total = np.add.reduce(ta * self._partials(), axis=self.axis, keepdims=self.keepdims)
        return np.asarray(total)
