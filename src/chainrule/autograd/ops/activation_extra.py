"""The activations torch offers beyond the lectures' set: SiLU, GELU (exact and tanh
approximation), Mish, SELU, softsign, log-sigmoid, hardtanh (and ReLU6 through it).

Each is f(a) with its derivative beside it; softmin is softmax(-a) and needs no op.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.activation import _sigmoid
from chainrule.autograd.ops.elementwise import _erf, smooth_op

_INV_SQRT_2 = 1.0 / math.sqrt(2.0)  # Python floats: float32 stays float32
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _gelu_tanh(a: np.ndarray) -> np.ndarray:
    return 0.5 * a * (1 + np.tanh(_SQRT_2_OVER_PI * (a + _GELU_CUBIC * a ** 3)))


def _gelu_tanh_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    t = np.tanh(_SQRT_2_OVER_PI * (a + _GELU_CUBIC * a ** 3))
    return 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * _SQRT_2_OVER_PI * (
        1 + 3 * _GELU_CUBIC * a * a)


def _softplus(a: np.ndarray) -> np.ndarray:
    """log(1 + e^a) without overflow."""
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def _mish_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    t = np.tanh(_softplus(a))
    return t + a * (1 - t * t) * _sigmoid(a)


def _selu(a: np.ndarray) -> np.ndarray:
    return SELU_SCALE * np.where(a > 0, a, SELU_ALPHA * np.expm1(np.minimum(a, 0)))


def _selu_derivative(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    return SELU_SCALE * np.where(a > 0, 1, SELU_ALPHA * np.exp(np.minimum(a, 0)))


SiLU = smooth_op("SiLU", lambda a: a * _sigmoid(a),
                 lambda a, out: _sigmoid(a) * (1 + a * (1 - _sigmoid(a))),
                 "a sigmoid(a) (swish); d/da = s (1 + a (1 - s)) with s = sigmoid(a).", __name__)
GELU = smooth_op("GELU", lambda a: 0.5 * a * (1 + _erf(a * _INV_SQRT_2)),
                 lambda a, out: 0.5 * (1 + _erf(a * _INV_SQRT_2))
                 + a * _INV_SQRT_2PI * np.exp(-0.5 * a * a),
                 "a Phi(a) with the normal CDF Phi; d/da = Phi(a) + a phi(a).", __name__)
GELUTanh = smooth_op("GELUTanh", _gelu_tanh, _gelu_tanh_derivative,
                     "0.5 a (1 + tanh(sqrt(2/pi) (a + 0.044715 a^3))), GELU's tanh "
                     "approximation (Hendrycks and Gimpel, 2016).", __name__)
Mish = smooth_op("Mish", lambda a: a * np.tanh(_softplus(a)), _mish_derivative,
                 "a tanh(softplus(a)) (Misra, 2019); d/da = t + a (1 - t^2) sigmoid(a).",
                 __name__)
SELU = smooth_op("SELU", _selu, _selu_derivative,
                 "scale (a if a > 0 else alpha (e^a - 1)) with Klambauer et al.'s constants "
                 "(2017); derivative scale or scale alpha e^a.", __name__)
Softsign = smooth_op("Softsign", lambda a: a / (1 + np.abs(a)),
                     lambda a, out: 1 / ((1 + np.abs(a)) * (1 + np.abs(a))),
                     "a / (1 + |a|); d/da = 1 / (1 + |a|)^2.", __name__)
LogSigmoid = smooth_op("LogSigmoid", lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
                       lambda a, out: _sigmoid(-a),
                       "log(sigmoid(a)), computed without overflow; d/da = sigmoid(-a).",
                       __name__)


class Hardtanh(Function):
    """a clamped to [lo, hi]; the gradient passes strictly inside (0 at the bounds, as torch)."""

    def forward(self, a: np.ndarray, lo: float, hi: float) -> np.ndarray:
        self.inside = (a > lo) & (a < hi)
        return np.clip(a, a.dtype.type(lo), a.dtype.type(hi))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.where(self.inside, g, g.dtype.type(0))

    jvp = backward
