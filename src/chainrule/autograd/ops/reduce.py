"""Reductions over ``axis`` (None, an int or a tuple; negative axes allowed) with ``keepdims``."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function

Axis = int | tuple[int, ...] | None


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < max(ndim, 1):
            raise ValueError(f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(out))


class _Reduction(Function):
    """Shared bookkeeping: remember the axes so the gradient can be re-expanded."""

    def _setup(self, a: np.ndarray, axis: Axis, keepdims: bool) -> tuple[int, ...]:
        self.shape = a.shape
        self.axes = normalize_axes(axis, a.ndim)
        self.keepdims = keepdims
        self.count = int(np.prod([a.shape[i] for i in self.axes], dtype=np.int64))
        return self.axes

    def expand(self, g: np.ndarray) -> np.ndarray:
        """Give a reduced gradient its reduced axes back, as size-1 dims."""
        if not self.keepdims and self.axes:
            g = np.expand_dims(g, self.axes)
        return g

    def reduce(self, t: np.ndarray) -> np.ndarray:
        return t.sum(axis=self.axes, keepdims=self.keepdims)


class Sum(_Reduction):
    """Sum over ``axis``; the gradient is broadcast back."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        return np.asarray(a.sum(axis=self._setup(a, axis, keepdims), keepdims=keepdims))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.expand(g), self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(ta)


class Mean(_Reduction):
    """Mean over ``axis``; each input gets 1/n of the gradient."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        return np.asarray(a.mean(axis=self._setup(a, axis, keepdims), keepdims=keepdims))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.expand(g) / g.dtype.type(self.count), self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(ta) / ta.dtype.type(self.count)


class Var(_Reduction):
    """Variance sum((a - mean)^2) / (n - ddof) over ``axis`` (ddof=0: the biased form)."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False,
                ddof: int = 0) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        self.centred = a - a.mean(axis=axes, keepdims=True)
        dof = self.count - ddof
        self.scale = a.dtype.type(2.0 / dof if dof > 0 else np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(a.var(axis=axes, keepdims=keepdims, ddof=ddof))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return self.expand(g) * self.scale * self.centred

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.centred * ta) * self.scale


class Max(_Reduction):
    """Max over ``axis``: the max gate routes the gradient to the winner (shared evenly on ties)."""

    _pick = staticmethod(np.max)

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        if a.size == 0:
            raise ValueError(f"{type(self).__name__.lower()} of an empty tensor "
                             f"(shape {a.shape})")
        best = self._pick(a, axis=axes, keepdims=True)
        winners = a == best
        self.share = winners / winners.sum(axis=axes, keepdims=True).astype(a.dtype)
        return best if keepdims else np.squeeze(best, axis=axes)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return self.expand(g) * self.share

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.share * ta)


class Min(Max):
    """Min over ``axis`` (gradient shared evenly between tied minima)."""

    _pick = staticmethod(np.min)


class LogSumExp(_Reduction):
    """log(sum(exp(a))) over ``axis``, computed stably as m + log(sum(exp(a - m)))."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        m = a.max(axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)
        e = np.exp(a - m)
        total = e.sum(axis=axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(total) + m
            # softmax of a over axis, from e rather than exp(a - out): out has lost digits
            self.weights = e / total
        return out if keepdims else np.squeeze(out, axis=axes)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return self.expand(g) * self.weights

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.weights * ta)
