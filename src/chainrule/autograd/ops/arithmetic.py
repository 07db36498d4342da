"""Elementwise arithmetic: the binary and unary ops of the lectures' computational graphs.

Each ``backward`` may return gradients in the broadcast shape; the engine sums
them back to each input's shape.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function

# ************************************************************* binary ops


def broadcast_error(op: str, a: np.ndarray, b: np.ndarray) -> ValueError:
    """The error of a binary op whose operands' shapes do not broadcast."""
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together")


class Add(Function):
    """a + b: the add gate hands the gradient unchanged to both inputs."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a + b
        except ValueError:
            raise broadcast_error("add", a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        return g, g

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return ta + tb


class Sub(Function):
    """a - b."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        return g, (-g if self.needs_input_grad[1] else None)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return ta - tb


class Mul(Function):
    """a * b: the multiply gate swaps its inputs to scale the gradient."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return a * b
        except ValueError:
            raise broadcast_error("mul", a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        need_a, need_b = self.needs_input_grad
        return (g * self.b if need_a else None), (g * self.a if need_b else None)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return ta * self.b + self.a * tb


class Div(Function):
    """a / b; d/db = -a / b^2."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return a / b
        except ValueError:
            raise broadcast_error("div", a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        ga = g / self.b
        gb = -ga * self.a / self.b if self.needs_input_grad[1] else None
        return ga, gb

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return (ta - self.a / self.b * tb) / self.b


class Maximum(Function):
    """Elementwise max(a, b); on ties each input gets half the gradient, as in torch."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return np.maximum(a, b)
        except ValueError:
            raise broadcast_error("maximum", a, b) from None

    def _share(self) -> np.ndarray:
        """Fraction of the gradient routed to ``a``: 1 where a wins, 1/2 on ties."""
        return (self.a > self.b) + (self.a == self.b) * np.asarray(0.5, self.a.dtype)

    def backward(self, g: np.ndarray) -> tuple:
        share = self._share().astype(g.dtype, copy=False)
        return g * share, g * (1 - share)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        share = self._share().astype(ta.dtype, copy=False)
        return ta * share + tb * (1 - share)


class Minimum(Maximum):
    """Elementwise min(a, b); on ties each input gets half the gradient, as in torch."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return np.minimum(a, b)
        except ValueError:
            raise broadcast_error("minimum", a, b) from None

    def _share(self) -> np.ndarray:
        return (self.a < self.b) + (self.a == self.b) * np.asarray(0.5, self.a.dtype)


class PowTensor(Function):
    """a ** b with a tensor exponent; d/db = a^b log a (0 where a = 0 and b >= 0, as torch)."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            self.out = np.power(a, b)
        except ValueError:
            raise broadcast_error("pow", a, b) from None
        return self.out

    def _grads(self) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.a, self.b
        with np.errstate(divide="ignore", invalid="ignore"):
            da = np.where(b == 0, 0, b * np.power(a, b - 1)).astype(self.out.dtype, copy=False)
            db = np.where((a == 0) & (b >= 0), 0, self.out * np.log(a))
        return da, db.astype(self.out.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple:
        da, db = self._grads()
        return g * da, g * db

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        da, db = self._grads()
        return ta * da + tb * db


# ************************************************************* unary ops


class Neg(Function):
    """-a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, g: np.ndarray) -> np.ndarray:
        return -g

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return -ta


class PowScalar(Function):
    """a ** p for a constant p; d/da = p a^(p-1) (0 when p = 0, as torch)."""

    def forward(self, a: np.ndarray, exponent: float) -> np.ndarray:
        self.a, self.p = a, exponent
        return a * a if exponent == 2 else np.power(a, a.dtype.type(exponent))

    def _derivative(self) -> np.ndarray:
        a, p = self.a, self.p
        if p == 0:
            return np.zeros_like(a)
        if p == 2:
            return a * a.dtype.type(2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return a.dtype.type(p) * np.power(a, a.dtype.type(p - 1))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self._derivative()

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self._derivative()


class Exp(Function):
    """exp(a); the gradient reuses the output."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = np.exp(a)
        return self.out

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self.out

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self.out


class Log(Function):
    """Natural log; d/da = 1/a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.log(a)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g / self.a

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta / self.a


class Sqrt(Function):
    """sqrt(a); d/da = 1 / (2 sqrt(a))."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.out = np.sqrt(a)
        return self.out

    def backward(self, g: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return g / (2 * self.out)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return ta / (2 * self.out)


class Abs(Function):
    """|a|; d/da = sign(a), 0 at 0 (as torch)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.abs(a)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * np.sign(self.a)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * np.sign(self.a)


class Clip(Function):
    """Clamp to [lo, hi]; the gradient passes where lo <= a <= hi (bounds included, as torch)."""

    def forward(self, a: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
        self.mask = np.ones(a.shape, dtype=bool)
        if lo is not None:
            self.mask &= a >= lo
        if hi is not None:
            self.mask &= a <= hi
        return np.clip(a, lo, hi)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * self.mask

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta * self.mask


class Where(Function):
    """where(cond, a, b): the gradient goes to ``a`` where cond holds and to ``b`` elsewhere."""

    def forward(self, a: np.ndarray, b: np.ndarray, cond: np.ndarray) -> np.ndarray:
        self.cond = cond
        try:
            return np.where(cond, a, b)
        except ValueError:
            raise ValueError(f"where: shapes {cond.shape} (condition), {a.shape} and {b.shape} "
                             "cannot be broadcast together") from None

    def backward(self, g: np.ndarray) -> tuple:
        zero = g.dtype.type(0)
        return np.where(self.cond, g, zero), np.where(self.cond, zero, g)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return np.where(self.cond, ta, tb)


class Cast(Function):
    """Convert to another dtype; the engine casts the gradient back."""

    def forward(self, a: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return a.astype(dtype)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta
