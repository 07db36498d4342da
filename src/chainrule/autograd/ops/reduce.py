"""Reductions over ``axis`` (None, an int or a tuple; negative axes allowed) with ``keepdims``."""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import Function

Axis = int | tuple[int, ...] | None


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints; None means every axis.

    A 0-d tensor accepts axis 0 and -1, as torch, and has no axis to reduce: ().
    """
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # one axis: 0.1 us instead of the loop's 2.5
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not -max(ndim, 1) <= ax < max(ndim, 1):
            raise ValueError(f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else ()


def spread(g: np.ndarray, kept: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """``g`` given the reduced axes back (shape ``kept``) and copied across ``shape``.

    A fresh array: ``np.broadcast_to`` would save the copy but costs 3.4 us of
    Python per call against 0.6 us for this on a (4, 4) tensor (timeit, best of 7).
    """
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g.reshape(kept)
    return out


class _Reduction(Function):
    """Shared bookkeeping: remember the axes so the gradient can be re-expanded."""

    def _setup(self, a: np.ndarray, axis: Axis, keepdims: bool) -> int | tuple[int, ...] | None:
        """Remember the input; return ``axis`` in a form NumPy reduces over (checked)."""
        self.shape, self.axis, self.keepdims = a.shape, axis, keepdims
        if axis is None or type(axis) is int and -a.ndim <= axis < a.ndim:
            return axis
        return normalize_axes(axis, a.ndim)  # checked; () for a 0-d tensor

    @property
    def axes(self) -> tuple[int, ...]:
        """The reduced axes, sorted and non-negative."""
        return normalize_axes(self.axis, len(self.shape))

    @property
    def count(self) -> int:
        """How many elements each output value reduces over."""
        return math.prod([self.shape[i] for i in self.axes])

    @property
    def kept(self) -> tuple[int, ...]:
        """The output's shape with keepdims=True: reduced axes as size 1."""
        return tuple(1 if i in self.axes else n for i, n in enumerate(self.shape))

    @property
    def out_shape(self) -> tuple[int, ...]:
        """The output's shape with keepdims=False: reduced axes dropped."""
        return tuple(n for i, n in enumerate(self.shape) if i not in self.axes)

    def reduce(self, t: np.ndarray) -> np.ndarray:
        return np.add.reduce(t, axis=self.axes, keepdims=self.keepdims)


class Sum(_Reduction):
    """Sum over ``axis``; the gradient is copied back over the summed axes."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        return np.asarray(np.add.reduce(a, axis=self._setup(a, axis, keepdims), keepdims=keepdims))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return spread(g, self.kept, self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(ta)


class Mean(_Reduction):
    """Mean over ``axis``; each input gets 1/n of the gradient."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        total = np.add.reduce(a, axis=self._setup(a, axis, keepdims), keepdims=keepdims)
        self.n = a.dtype.type(self.count)
        return np.asarray(total / self.n)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return spread(g / self.n, self.kept, self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(ta) / self.n


class Var(_Reduction):
    """Variance sum((a - mean)^2) / (n - ddof) over ``axis`` (ddof=0: the biased form).

    With no degrees of freedom left (n <= ddof) the variance is nan.
    """

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False,
                ddof: int = 0) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        count = self.count
        dof = count - ddof
        mean = np.add.reduce(a, axis=axes, keepdims=True) / a.dtype.type(max(count, 1))
        self.centred = a - mean
        self.scale = a.dtype.type(2.0 / dof if dof > 0 else np.nan)
        squares = np.add.reduce(self.centred * self.centred, axis=axes, keepdims=keepdims)
        return np.asarray(squares * (self.scale / 2))

    def backward(self, g: np.ndarray) -> np.ndarray:
        g = g if self.keepdims else g.reshape(self.kept)
        return g * self.scale * self.centred

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.centred * ta) * self.scale


class Max(_Reduction):
    """Max over ``axis``: the max gate routes the gradient to the winner (shared evenly on ties).

    Ties split the gradient as ``torch.amax`` does (and ``torch.max()`` over all elements).
    """

    _pick = np.maximum

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        if a.size == 0:
            raise ValueError(f"{type(self).__name__.lower()} of an empty tensor "
                             f"(shape {a.shape})")
        self.a = a
        self.best = best = self._pick.reduce(a, axis=axes, keepdims=True)
        return best if keepdims else best.reshape(self.out_shape)

    def share(self) -> np.ndarray:
        """The fraction of the gradient each element receives: 1/k for each of k winners."""
        winners = self.a == self.best
        return winners / np.add.reduce(winners, axis=self.axes, keepdims=True).astype(
            self.a.dtype)

    def backward(self, g: np.ndarray) -> np.ndarray:
        g = g if self.keepdims else g.reshape(self.kept)
        return g * self.share()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.share() * ta)


class Min(Max):
    """Min over ``axis`` (gradient shared evenly between tied minima, as ``torch.amin``)."""

    _pick = np.minimum


class LogSumExp(_Reduction):
    """log(sum(exp(a))) over ``axis``, computed stably as m + log(sum(exp(a - m)))."""

    def forward(self, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        axes = self._setup(a, axis, keepdims)
        m = np.maximum.reduce(a, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)
        e = np.exp(a - m)
        total = np.add.reduce(e, axis=axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(total) + m
            # softmax of a over axis, from e rather than exp(a - out): out has lost digits
            self.weights = e / total
        return out if keepdims else out.reshape(self.out_shape)

    def backward(self, g: np.ndarray) -> np.ndarray:
        g = g if self.keepdims else g.reshape(self.kept)
        return g * self.weights

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return self.reduce(self.weights * ta)
