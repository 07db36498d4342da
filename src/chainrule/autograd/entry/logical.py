"""Tests and logic on tensors: results outside the graph (nothing to differentiate).

``isnan``, ``isinf``, ``isfinite``, ``isclose`` and ``logical_and/or/xor/not`` follow torch:
the result is a bool tensor of the broadcast shape, and non-boolean operands count as
true where they are non-zero. The bitwise ops (``&``, ``|``, ``^``, ``~`` on tensors) take
bool and integer tensors and keep their dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor

__all__ = ["bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "isclose", "isfinite",
           "isinf", "isnan", "logical_and", "logical_not", "logical_or", "logical_xor"]


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _bool(values: Any) -> Tensor:
    return Tensor._wrap(np.asarray(values, dtype=bool))


def _broadcast(op: str, a: Any, b: Any, fn: Any) -> Tensor:
    a, b = _data(a), _data(b)
    try:
        return _bool(fn(a, b))
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast "
                         f"together") from None


def isnan(input: Any) -> Tensor:  # noqa: A002
    """True where an element is NaN."""
    return _bool(np.isnan(_data(input)))


def isinf(input: Any) -> Tensor:  # noqa: A002
    """True where an element is +inf or -inf."""
    return _bool(np.isinf(_data(input)))


def isfinite(input: Any) -> Tensor:  # noqa: A002
    """True where an element is neither NaN nor infinite."""
    return _bool(np.isfinite(_data(input)))


def isclose(input: Any, other: Any, rtol: float = 1e-5, atol: float = 1e-8,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol |other| elementwise (torch's and NumPy's defaults)."""
    return _broadcast("isclose", input, other,
                      lambda a, b: np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input and other`` (non-zero counts as true)."""
    return _broadcast("logical_and", input, other, np.logical_and)


def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input or other`` (non-zero counts as true)."""
    return _broadcast("logical_or", input, other, np.logical_or)


def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise exclusive or (non-zero counts as true)."""
    return _broadcast("logical_xor", input, other, np.logical_xor)


def logical_not(input: Any) -> Tensor:  # noqa: A002
    """Elementwise ``not input`` (non-zero counts as true)."""
    return _bool(np.logical_not(_data(input)))


def _bitwise(op: str, fn: Any, *args: Any) -> Tensor:
    arrays = [_data(a) for a in args]
    if any(a.dtype.kind not in "biu" for a in arrays):
        kinds = ", ".join(str(a.dtype) for a in arrays)
        raise TypeError(f"{op}: needs bool or integer tensors, got {kinds}")
    try:
        return Tensor._wrap(np.asarray(fn(*arrays)))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{op}: shapes {shapes} cannot be broadcast together") from None


def bitwise_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input & other`` of bool or integer tensors."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input | other`` of bool or integer tensors."""
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise ``input ^ other`` of bool or integer tensors."""
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input: Any) -> Tensor:  # noqa: A002
    """Elementwise ``~input``: logical not of a bool tensor, bit flip of an integer one."""
    return _bitwise("bitwise_not", np.invert, input)
