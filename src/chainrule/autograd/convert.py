"""What a tensor holds: numbers (floating, integer or boolean), and a clear error for the rest.

``np.asarray`` accepts anything, so without a check a string or ragged array fails deep
inside a model with NumPy's "could not convert string to float" or "setting an array
element with a sequence". :func:`numeric_array` runs where user data becomes a tensor
(``Tensor()``, ``cr.tensor()``, an operand that is not a tensor, the predict/fit input
checks), never on the ops' path (``Function.apply`` and ``Tensor._wrap`` take arrays made by
ops, which are numeric already). As in torch, boolean tensors are accepted; complex numbers
are not (no op here is written for them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

NUMERIC_KINDS = "fiub"  # numpy dtype kinds: floating, signed and unsigned integer, boolean

_WHAT = {
    "U": "strings are not numbers: encode them first (np.asarray(x, dtype=float), class "
         "indices)",
    "S": "bytes are not numbers: decode and encode them first",
    "O": "Python objects (ragged rows, None or mixed types) are not numbers: make a "
         "rectangular numeric array first",
    "c": "complex numbers are not supported: take .real or abs() first",
    "M": "datetimes are not numbers: convert them first (e.g. seconds since an epoch)",
    "m": "timedeltas are not numbers: convert them first (e.g. to seconds)",
}


def numeric_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``np.asarray(data)`` if it holds numbers, converted to ``dtype`` when given.

    Raises:
        TypeError: strings, bytes, objects, complex numbers, datetimes or records, or a
            non-numeric ``dtype``; the message names the dtype, the shape and an example value.
        ValueError: ragged nested sequences (rows of different lengths); the message gives
            the shape NumPy found before the rows diverged.
    """
    try:
        arr = np.asarray(data)
    except ValueError as e:  # NumPy refuses ragged nested sequences
        raise ValueError(f"cannot make a tensor from ragged rows (nested sequences of "
                         f"different lengths): {e}") from None
    if arr.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(not_numeric(arr, data))
    if dtype is not None:
        target = np.dtype(dtype)
        if target.kind not in NUMERIC_KINDS:
            raise TypeError(f"cannot make a tensor of dtype {target}: a tensor holds "
                            "floating, integer or boolean numbers")
        if arr.dtype != target:
            arr = arr.astype(target)
    return arr


def not_numeric(arr: np.ndarray, data: Any = None) -> str:
    """Why ``arr`` (made from ``data``) cannot become a tensor: its dtype, shape, an example
    value and what to do instead."""
    kind = arr.dtype.kind
    why = _WHAT.get(kind, "records and other non-numeric values: convert them to numbers first")
    end = f"{why}; a tensor holds floating, integer or boolean numbers"
    if kind == "O" and arr.ndim == 0:  # not an array at all: None, a dict, a set...
        return f"cannot make a tensor from {_short(arr.item())} (a {type(data).__name__}): {end}"
    example = f", e.g. {_short(arr.flat[0])}" if arr.size and kind in "USO" else ""
    return (f"cannot make a tensor from an array of dtype {arr.dtype} and shape {arr.shape}"
            f"{example}: {end}")


def _short(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
