"""Activation functions and softmax, each with its local derivative beside it."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import kernels


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)), without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(Function):
    """sigma(a) = 1 / (1 + e^-a); sigma' = sigma (1 - sigma)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = _sigmoid(a)
        return self.out

    def _derivative(self) -> np.ndarray:
        return self.out * (1 - self.out)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self._derivative()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self._derivative()


class Tanh(Function):
    """tanh(a); tanh' = 1 - tanh^2."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = np.tanh(a)
        return self.out

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * (1 - self.out * self.out)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * (1 - self.out * self.out)


class ReLU(Function):
    """max(a, 0); the gradient passes where a > 0 (0 at 0, as torch).

    Both directions run a one-pass numba kernel on contiguous arrays; the
    NumPy expressions are the reference (and the path for strided input).
    """

    def forward(self, a: np.ndarray) -> np.ndarray:
        out = np.empty_like(a) if a.size >= kernels.MIN_SIZE else None  # a's memory layout
        views = None if out is None else kernels.flat_views(a, out)
        if views is None:
            out = np.maximum(a, 0)
        else:
            kernels.relu_forward(*views)
        self.out = out
        return out

    def backward(self, g: np.ndarray) -> np.ndarray:
        return relu_grad(g, self.out)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * (self.out > 0)


def relu_grad(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """A new array: ``g`` where the ReLU's output ``out`` > 0, else 0 (torch's
    threshold_backward: a NaN in g stays out); the numba kernel when both are dense alike."""
    views = kernels.flat_views(g, out)
    if views is None:
        return np.where(out > 0, g, g.dtype.type(0))
    dst = np.empty_like(g)
    kernels.relu_backward(*views, kernels.flat_views(dst)[0])
    return dst


class LeakyReLU(Function):
    """a for a > 0, slope * a otherwise."""

    def forward(self, a: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
        self.scale = np.where(a > 0, a.dtype.type(1), a.dtype.type(negative_slope))
        return a * self.scale

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self.scale

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self.scale


class PReLU(Function):
    """a for a > 0, w * a otherwise, with a learnable slope per channel (axis 1) or one shared."""

    def forward(self, a: np.ndarray, w: np.ndarray) -> np.ndarray:
        if w.ndim != 1 or (w.size != 1 and (a.ndim < 2 or a.shape[1] != w.size)):
            raise ValueError(f"prelu: weight of shape {w.shape} must have 1 element or one per "
                             f"channel (axis 1) of the input of shape {a.shape}")
        self.w_shape = w.shape
        self.positive = a > 0
        self.wb = w.reshape((1, -1) + (1,) * (a.ndim - 2)) if w.size > 1 else w.reshape(())
        self.a = a
        return np.where(self.positive, a, self.wb * a)

    def backward(self, g: np.ndarray) -> tuple:
        ga = np.where(self.positive, g, g * self.wb)
        gw = None
        if self.needs_input_grad[1]:
            gw_full = np.where(self.positive, 0, g * self.a)
            axes = tuple(i for i in range(g.ndim) if i != 1 or self.wb.ndim == 0)
            gw = gw_full.sum(axis=axes).reshape(self.w_shape)
        return ga, gw

    def jvp(self, ta: np.ndarray, tw: np.ndarray) -> np.ndarray:
        twb = tw.reshape(self.wb.shape)
        return np.where(self.positive, ta, self.wb * ta + twb * self.a)


class ELU(Function):
    """a for a > 0, alpha (e^a - 1) otherwise; derivative out + alpha on the negative side."""

    def forward(self, a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        self.alpha = a.dtype.type(alpha)
        self.positive = a > 0
        self.out = np.where(self.positive, a, self.alpha * np.expm1(np.minimum(a, 0)))
        return self.out

    def _derivative(self) -> np.ndarray:
        return np.where(self.positive, 1, self.out + self.alpha).astype(self.out.dtype)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self._derivative()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self._derivative()


class Softplus(Function):
    """log(1 + e^(beta a)) / beta, linear where beta a > threshold (as torch)."""

    def forward(self, a: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        z = a * a.dtype.type(beta)
        self.linear = z > threshold
        self.slope = _sigmoid(z)
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / a.dtype.type(beta)
        return np.where(self.linear, a, soft)

    def _derivative(self) -> np.ndarray:
        return np.where(self.linear, 1, self.slope).astype(self.slope.dtype)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self._derivative()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self._derivative()


class Step(Function):
    """Heaviside step: 1 for a > 0, 0 for a < 0, ``value_at_zero`` at 0; derivative zero.

    The default value at zero is 1, the perceptron's a(x) = 1[x >= 0] of deck 004.
    """

    def forward(self, a: np.ndarray, value_at_zero: float = 1.0) -> np.ndarray:
        return np.heaviside(a, a.dtype.type(value_at_zero))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.zeros_like(g)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.zeros_like(ta)


class Softmax(Function):
    """e^a / sum(e^a) along ``axis``; backward s * (g - sum(g s))."""

    def forward(self, a: np.ndarray, axis: int = -1) -> np.ndarray:
        self.axis = axis
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        self.out = e / e.sum(axis=axis, keepdims=True)
        return self.out

    def backward(self, g: np.ndarray) -> np.ndarray:
        s = self.out
        return s * (g - (g * s).sum(axis=self.axis, keepdims=True))

    jvp = backward  # the softmax Jacobian is symmetric


class LogSoftmax(Function):
    """a - logsumexp(a) along ``axis``; backward g - softmax * sum(g)."""

    def forward(self, a: np.ndarray, axis: int = -1) -> np.ndarray:
        self.axis = axis
        shifted = a - a.max(axis=axis, keepdims=True)
        self.out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return self.out

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g - np.exp(self.out) * g.sum(axis=self.axis, keepdims=True)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta - (np.exp(self.out) * ta).sum(axis=self.axis, keepdims=True)
