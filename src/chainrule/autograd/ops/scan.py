"""Scans: running sums, products, extrema and log-sum-exps along one axis.

out_k = a_0 (+) a_1 (+) ... (+) a_k for an associative (+); each backward is the
reverse scan of the gradient (the gradient of a_i collects every out_k with k >= i).
A 0-d tensor is scanned as one element (torch accepts dim 0 and -1 for it). cummax and
cummin gather along the axis (their entry points, with the others', are in
``chainrule.autograd.entry.scan``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from chainrule.autograd.function import Function


def _flip(fn: Callable[[np.ndarray, int], np.ndarray], x: np.ndarray, axis: int) -> np.ndarray:
    """The scan ``fn`` run from the end of ``axis`` back to its start."""
    return np.flip(fn(np.flip(x, axis), axis), axis)


def _revcumsum(x: np.ndarray, axis: int) -> np.ndarray:
    """sum_{k >= i} x_k along ``axis``."""
    return _flip(lambda v, ax: np.cumsum(v, axis=ax), x, axis)


class _Scan(Function):
    """Shared set-up: a 0-d input is scanned as a 1-element vector."""

    def _setup(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.shape, self.axis = a.shape, axis
        return a.reshape(1) if a.ndim == 0 else a


class CumSum(_Scan):
    """out_k = sum_{j <= k} a_j; grad_i = sum_{k >= i} g_k."""

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        return np.cumsum(self._setup(a, axis), axis=axis).reshape(a.shape)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return _revcumsum(g.reshape(g.shape or (1,)), self.axis).reshape(self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.cumsum(ta.reshape(ta.shape or (1,)), axis=self.axis).reshape(self.shape)


class CumProd(_Scan):
    """out_k = prod_{j <= k} a_j; grad_i = sum_{k >= i} g_k prod_{j <= k, j != i} a_j.

    Where a_i != 0 that is revcumsum(g out)_i / a_i. At the first zero of a slice the
    quotient is undefined, so the products are rebuilt with that zero taken as 1; every
    later zero gets 0 (each of its products contains the first zero).
    """

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.a = self._setup(a, axis)
        self.out = np.cumprod(self.a, axis=axis)
        return self.out.reshape(a.shape)

    def _grad(self, g: np.ndarray) -> np.ndarray:
        a, axis = self.a, self.axis
        zero = a == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = np.where(zero, 0, _revcumsum(g * self.out, axis) / np.where(zero, 1, a))
        if zero.any():
            first = zero & (np.cumsum(zero, axis=axis) == 1)
            without_first = np.cumprod(np.where(first, 1, a), axis=axis)
            grad = np.where(first, _revcumsum(g * without_first, axis), grad)
        return grad.astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return self._grad(g.reshape(self.a.shape)).reshape(self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        # d out_k = sum_{i <= k} t_i prod_{j <= k, j != i} a_j: out_k cumsum(t / a)_k before
        # the first zero; from it on only the zero's own term survives (the others hold it).
        a, t, axis = self.a, ta.reshape(self.a.shape), self.axis
        zero = a == 0
        seen = np.cumsum(zero, axis=axis)
        tangent = self.out * np.cumsum(t / np.where(zero, 1, a), axis=axis)
        if zero.any():
            first = zero & (seen == 1)
            t_first = np.add.reduce(np.where(first, t, 0), axis=axis, keepdims=True)
            without_first = np.cumprod(np.where(first, 1, a), axis=axis)
            tangent = np.where(seen == 0, tangent, t_first * without_first)
        return tangent.astype(a.dtype, copy=False).reshape(self.shape)


class LogCumSumExp(_Scan):
    """out_k = log sum_{j <= k} e^(a_j); grad_i = sum_{k >= i} g_k e^(a_i - out_k).

    Both directions add in log space (split by sign), so nothing overflows.
    """

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.a = self._setup(a, axis)
        self.out = np.logaddexp.accumulate(self.a, axis=axis)
        return self.out.reshape(a.shape)

    def backward(self, g: np.ndarray) -> np.ndarray:
        g = g.reshape(self.a.shape)
        pos, neg = (_flip(np.logaddexp.accumulate, _log(part) - self.out, self.axis)
                    for part in (g, -g))
        return (np.exp(self.a + pos) - np.exp(self.a + neg)).reshape(self.shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        t = ta.reshape(self.a.shape)
        pos, neg = (np.logaddexp.accumulate(self.a + _log(part), axis=self.axis)
                    for part in (t, -t))
        return (np.exp(pos - self.out) - np.exp(neg - self.out)).reshape(self.shape)


def _log(x: np.ndarray) -> np.ndarray:
    """log(x) where x > 0, -inf elsewhere (the positive part of x in log space)."""
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(x, 0))
