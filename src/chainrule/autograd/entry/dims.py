"""torch's ``dim=`` and NumPy's ``axis=`` as one argument, for the ops of this folder."""

from __future__ import annotations

import operator
from typing import Any


def pick_dim(op: str, dim: Any, axis: Any, default: Any = None) -> Any:
    """The axis an op works on, named ``dim`` (torch) or ``axis`` (NumPy), not both."""
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: give dim or axis, not both (got dim={dim!r}, axis={axis!r})")
    if dim is None and axis is None:
        return default
    return axis if dim is None else dim


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
