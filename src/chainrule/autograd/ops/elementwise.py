"""Elementwise maths beyond arithmetic: trigonometric and hyperbolic functions, erf/erfc,
log1p/expm1, log2/log10/exp2, rsqrt/reciprocal/square, the rounding family, and the
remainders ``%`` / ``fmod`` with floor division ``//``.

Smooth ops keep their input and output for the derivative. The rounding ops (sign,
floor, ceil, round, trunc) are piecewise constant: their gradient is zero everywhere,
at the jumps too, as in torch. Integer input to a smooth op becomes float32 (torch's
default dtype); the rounding ops keep an integer tensor as it is. The entry points with
torch's signatures are in ``chainrule.autograd.entry.elementwise``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.arithmetic import broadcast_error


def _erf(a: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # scipy is heavy: imported on first use only

    return erf(a)


# ************************************************************* smooth unary ops


class Smooth(Function):
    """f(a) with derivative df(a, f(a)); a subclass names both (NumPy ufuncs and formulas)."""

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with np.errstate(invalid="ignore", divide="ignore"):  # out of domain: nan, as torch
            self.out = type(self).f(a)
        return self.out

    def _derivative(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return type(self).df(self.a, self.out)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self._derivative()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self._derivative()


def smooth_op(name: str, f: Callable, df: Callable, doc: str,
              module: str = __name__) -> type[Smooth]:
    """One smooth op class: ``f`` and its derivative ``df(a, out)``, one line each."""
    return type(name, (Smooth,), {"f": staticmethod(f), "df": staticmethod(df),
                                  "__doc__": doc, "__module__": module})


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)  # Python floats: float32 stays float32
_LN2 = math.log(2.0)
_INV_LN2, _INV_LN10 = 1.0 / math.log(2.0), 1.0 / math.log(10.0)

Sin = smooth_op("Sin", np.sin, lambda a, out: np.cos(a), "sin(a); d/da = cos(a).")
Cos = smooth_op("Cos", np.cos, lambda a, out: -np.sin(a), "cos(a); d/da = -sin(a).")
Tan = smooth_op("Tan", np.tan, lambda a, out: 1 + out * out, "tan(a); d/da = 1 + tan^2(a).")
Asin = smooth_op("Asin", np.arcsin, lambda a, out: 1 / np.sqrt(1 - a * a),
               "arcsin(a); d/da = 1 / sqrt(1 - a^2) (nan outside [-1, 1]).")
Acos = smooth_op("Acos", np.arccos, lambda a, out: -1 / np.sqrt(1 - a * a),
               "arccos(a); d/da = -1 / sqrt(1 - a^2) (nan outside [-1, 1]).")
Atan = smooth_op("Atan", np.arctan, lambda a, out: 1 / (1 + a * a),
               "arctan(a); d/da = 1 / (1 + a^2).")
Sinh = smooth_op("Sinh", np.sinh, lambda a, out: np.cosh(a), "sinh(a); d/da = cosh(a).")
Cosh = smooth_op("Cosh", np.cosh, lambda a, out: np.sinh(a), "cosh(a); d/da = sinh(a).")
Erf = smooth_op("Erf", _erf, lambda a, out: _TWO_OVER_SQRT_PI * np.exp(-a * a),
              "erf(a) = 2/sqrt(pi) int_0^a e^(-t^2) dt; d/da = 2/sqrt(pi) e^(-a^2).")
Erfc = smooth_op("Erfc", lambda a: 1 - _erf(a), lambda a, out: -_TWO_OVER_SQRT_PI * np.exp(-a * a),
                 "erfc(a) = 1 - erf(a); d/da = -2/sqrt(pi) e^(-a^2).")
Log1p = smooth_op("Log1p", np.log1p, lambda a, out: 1 / (1 + a),
                  "log(1 + a), accurate for small a; d/da = 1 / (1 + a).")
Expm1 = smooth_op("Expm1", np.expm1, lambda a, out: out + 1,
                  "e^a - 1, accurate for small a; d/da = e^a.")
Log2 = smooth_op("Log2", np.log2, lambda a, out: _INV_LN2 / a, "log2(a); d/da = 1 / (a ln 2).")
Log10 = smooth_op("Log10", np.log10, lambda a, out: _INV_LN10 / a,
                  "log10(a); d/da = 1 / (a ln 10).")
Exp2 = smooth_op("Exp2", np.exp2, lambda a, out: out * _LN2, "2^a; d/da = 2^a ln 2.")
Rsqrt = smooth_op("Rsqrt", lambda a: 1 / np.sqrt(a), lambda a, out: -0.5 * out * out * out,
                  "1 / sqrt(a); d/da = -1/2 a^(-3/2).")
Reciprocal = smooth_op("Reciprocal", lambda a: 1 / a, lambda a, out: -out * out,
                       "1 / a; d/da = -1 / a^2.")
Square = smooth_op("Square", lambda a: a * a, lambda a, out: 2 * a, "a^2; d/da = 2a.")


# ************************************************************* piecewise-constant ops


class Rounding(Function):
    """sign, floor, ceil, round or trunc: piecewise constant, so the gradient is zero."""

    def forward(self, a: np.ndarray, kind: str, decimals: int = 0) -> np.ndarray:
        if kind == "sign":
            return np.sign(a)
        if a.dtype.kind not in "fc":
            return a.copy()  # integers are already whole (NumPy's floor would give float64)
        if kind == "round":
            return np.round(a, decimals)  # half to even, as torch
        return {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}[kind](a)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.zeros_like(g)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.zeros_like(ta)


# ************************************************************* remainders


class Remainder(Function):
    """a - b * floor(a / b): the sign of b, as Python's ``%`` and ``torch.remainder``.

    d/da = 1 and d/db = -floor(a / b), as torch.
    """

    _rounding = "floor"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.dtype.kind in "iub" and b.dtype.kind in "iub" and not np.all(b):
            raise ZeroDivisionError(f"{self._name()}: integer division by zero "
                                    f"(divisor of shape {b.shape} has a zero)")
        self.a, self.b = a, b
        try:
            with np.errstate(invalid="ignore", divide="ignore"):  # x % 0.0 is nan, as torch
                return np.mod(a, b) if self._rounding == "floor" else np.fmod(a, b)
        except ValueError:
            raise broadcast_error(self._name(), a, b) from None

    def _name(self) -> str:
        return "remainder" if self._rounding == "floor" else "fmod"

    def _quotient(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            q = self.a / self.b
        return np.floor(q) if self._rounding == "floor" else np.trunc(q)

    def backward(self, g: np.ndarray) -> tuple:
        return g, (-g * self._quotient() if self.needs_input_grad[1] else None)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return ta - tb * self._quotient()


class Fmod(Remainder):
    """a - b * trunc(a / b): the sign of a, as C's fmod and ``torch.fmod``.

    d/da = 1 and d/db = -trunc(a / b), as torch.
    """

    _rounding = "trunc"


class FloorDivide(Function):
    """floor(a / b), Python's ``//``; piecewise constant, so the gradient is zero (as torch)."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.dtype.kind in "iub" and b.dtype.kind in "iub" and not np.all(b):
            raise ZeroDivisionError(f"floor_divide: integer division by zero (divisor of "
                                    f"shape {b.shape} has a zero)")
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.floor_divide(a, b)
        except ValueError:
            raise broadcast_error("floor_divide", a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        return np.zeros_like(g), np.zeros_like(g)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return np.zeros_like(ta)
