"""torch's ``dim=`` and NumPy's ``axis=`` as one argument, for the Tensor methods and the
entry points alike (imports nothing of chainrule, so ``tensor_methods`` can use it)."""

from __future__ import annotations

import operator
from typing import Any


def pick_axis(op: str, axis: Any, dim: Any, default: Any = None,
              names: tuple[str, str] = ("axis", "dim")) -> Any:
    """The axis an op works on, named ``axis`` (NumPy) or ``dim`` (torch), not both;
    ``default`` when neither is given. ``names`` are the two keywords the error shows."""
    if dim is None:
        return default if axis is None else axis
    if axis is not None:
        raise TypeError(f"{op}: got both {names[0]}={axis!r} and {names[1]}={dim!r}; pass one "
                        f"({names[1]} is torch's name for {names[0]})")
    return dim


def check_axis(op: str, axis: int, ndim: int) -> int:
    """``axis`` made non-negative; a 0-d tensor accepts 0 and -1, as in torch."""
    span = max(ndim, 1)
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op}: dim must be an integer, got {axis!r}") from None
    if not -span <= axis < span:
        raise ValueError(f"{op}: dim {axis!r} is out of range for a tensor with {ndim} "
                         f"dimensions")
    return axis % span


def pick_keepdim(op: str, keepdim: bool, keepdims: bool | None) -> bool:
    """torch's ``keepdim`` or NumPy's ``keepdims``; contradicting values are an error."""
    if keepdims is None:
        return bool(keepdim)
    if keepdim and not keepdims:
        raise TypeError(f"{op}: keepdim={keepdim!r} and keepdims={keepdims!r} disagree")
    return bool(keepdims)
