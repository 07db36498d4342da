"""Entry points of the elementwise family: trigonometric and hyperbolic functions, erf, the
rounding ops, remainders and floor division (the ops are in ``ops/elementwise.py``).

Integer input to a smooth op becomes float32 (torch's default dtype); the rounding ops
keep an integer tensor as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule.autograd.entry.args import as_floating
from chainrule.autograd.entry.args import as_tensor as _t
from chainrule.autograd.function import Function
from chainrule.autograd.ops import elementwise as ew
from chainrule.autograd.tensor import Tensor

__all__ = ["acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp2", "expm1", "floor",
           "floor_divide", "fmod", "log1p", "log2", "log10", "reciprocal", "remainder", "round",
           "rsqrt", "sign", "sin", "sinh", "square", "tan", "trunc"]


def _unary(cls: type[Function], name: str) -> Callable[[Any], Tensor]:
    def op(input: Any) -> Tensor:  # noqa: A002 -- torch's argument name
        return cls.apply(as_floating(input))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{cls.__doc__} Elementwise; integer input becomes float32."
    return op


sin = _unary(ew.Sin, "sin")
cos = _unary(ew.Cos, "cos")
tan = _unary(ew.Tan, "tan")
asin = _unary(ew.Asin, "asin")
acos = _unary(ew.Acos, "acos")
atan = _unary(ew.Atan, "atan")
sinh = _unary(ew.Sinh, "sinh")
cosh = _unary(ew.Cosh, "cosh")
erf = _unary(ew.Erf, "erf")
erfc = _unary(ew.Erfc, "erfc")
log1p = _unary(ew.Log1p, "log1p")
expm1 = _unary(ew.Expm1, "expm1")
log2 = _unary(ew.Log2, "log2")
log10 = _unary(ew.Log10, "log10")
exp2 = _unary(ew.Exp2, "exp2")
rsqrt = _unary(ew.Rsqrt, "rsqrt")
reciprocal = _unary(ew.Reciprocal, "reciprocal")


def square(input: Any) -> Tensor:  # noqa: A002
    """input^2 elementwise (integers stay integers, as torch)."""
    x = _t(input)
    return ew.Square.apply(x) if x.dtype.kind in "fc" else x * x


def sign(input: Any) -> Tensor:  # noqa: A002
    """-1, 0 or 1 by the sign of each element; zero gradient."""
    return ew.Rounding.apply(_t(input), kind="sign")


def floor(input: Any) -> Tensor:  # noqa: A002
    """The largest whole number <= each element; zero gradient."""
    return ew.Rounding.apply(_t(input), kind="floor")


def ceil(input: Any) -> Tensor:  # noqa: A002
    """The smallest whole number >= each element; zero gradient."""
    return ew.Rounding.apply(_t(input), kind="ceil")


def trunc(input: Any) -> Tensor:  # noqa: A002
    """Each element rounded towards zero; zero gradient."""
    return ew.Rounding.apply(_t(input), kind="trunc")


def round(input: Any, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Round to ``decimals`` places, halves to even (as torch and NumPy); zero gradient."""
    return ew.Rounding.apply(_t(input), kind="round", decimals=decimals)


def _binary(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a._operands(b)
    b_, a_ = _t(b)._operands(a)
    return a_, b_


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input - other * floor(input / other): the result has the sign of ``other`` (``%``)."""
    return ew.Remainder.apply(*_binary(input, other))


def fmod(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input - other * trunc(input / other): the result has the sign of ``input``."""
    return ew.Fmod.apply(*_binary(input, other))


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """floor(input / other), Python's ``//`` (integers stay integers); zero gradient."""
    return ew.FloorDivide.apply(*_binary(input, other))
