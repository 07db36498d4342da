"""Tensor constructors with torch's names and signatures: zeros, full, arange, rand, meshgrid...

Sizes are given as separate ints or one tuple (``zeros(2, 3)``, ``zeros((2, 3))``).
Floating results are float32 unless ``dtype`` says otherwise; integer results are int64
(as in torch). Random constructors draw from ``generator`` or, by default, the global
generator that ``chainrule.manual_seed`` resets: same seed, same bits. ``dtype`` takes
NumPy dtypes and names; the aliases below (``cr.float32``, ``cr.long``...) spell them as
a PyTorch script does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import random as _random
from chainrule.autograd.tensor import Tensor

__all__ = ["arange", "double", "empty", "empty_like", "eye", "float16", "float32", "float64",
           "full", "full_like", "half", "int8", "int16", "int32", "int64", "linspace", "long",
           "meshgrid", "ones", "ones_like", "rand", "rand_like", "randint", "randn",
           "randn_like", "uint8", "zeros", "zeros_like"]

float16 = half = np.float16
float32 = np.float32
float64 = double = np.float64
int8, int16, int32, uint8 = np.int8, np.int16, np.int32, np.uint8
int64 = long = np.int64

Generator = np.random.Generator | int | None


def _shape(size: tuple, op: str = "size") -> tuple[int, ...]:
    """``(2, 3)`` from ``(2, 3)`` or ``((2, 3),)``; every entry a non-negative int."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(int(n) for n in size)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: sizes must be integers, got {size!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def _given(dtype: Any, default: Any) -> Any:
    """``dtype`` unless it is None (a dtype's truth value is not to be relied on)."""
    return default if dtype is None else dtype


def _make(data: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    return Tensor(data, dtype=_given(dtype, np.float32), requires_grad=requires_grad)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (float32 unless ``dtype``)."""
    return _make(np.zeros(_shape(size, "zeros")), dtype, requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size`` (float32 unless ``dtype``)."""
    return _make(np.ones(_shape(size, "ones")), dtype, requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size``: its values are whatever memory held."""
    return Tensor._wrap(np.empty(_shape(size, "empty"), dtype=_given(dtype, np.float32))) \
        .requires_grad_(requires_grad)


def _fill_dtype(value: Any) -> Any:
    """torch's dtype for a fill value: bool, int64 for integers, float32 otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return np.bool_
    if isinstance(value, (int, np.integer)):
        return np.int64
    return np.float32


def full(size: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype follows the value)."""
    dtype = _given(dtype, _fill_dtype(fill_value))
    return Tensor(np.full(_shape((size,), "full"), fill_value, dtype=dtype), dtype=dtype,
                  requires_grad=requires_grad)


def _like(x: Any, dtype: Any) -> tuple[tuple[int, ...], Any]:
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return data.shape, _given(dtype, data.dtype)


def zeros_like(input: Any, *, dtype: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape and dtype (or ``dtype``)."""
    shape, dtype = _like(input, dtype)
    return Tensor(np.zeros(shape, dtype), dtype=dtype, requires_grad=requires_grad)


def ones_like(input: Any, *, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape and dtype (or ``dtype``)."""
    shape, dtype = _like(input, dtype)
    return Tensor(np.ones(shape, dtype), dtype=dtype, requires_grad=requires_grad)


def empty_like(input: Any, *, dtype: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with ``input``'s shape and dtype (or ``dtype``)."""
    shape, dtype = _like(input, dtype)
    return Tensor._wrap(np.empty(shape, dtype)).requires_grad_(requires_grad)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """``input``'s shape filled with ``fill_value``, in ``input``'s dtype (or ``dtype``)."""
    shape, dtype = _like(input, dtype)
    return Tensor(np.full(shape, fill_value, dtype), dtype=dtype, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m defaults to n): ones on the diagonal."""
    shape = _shape((n, n if m is None else m), "eye")
    return _make(np.eye(*shape), dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to but excluding ``end`` (``arange(n)``: 0 .. n-1).

    int64 when every bound is an integer, float32 otherwise (as torch).
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dtype = _given(dtype, np.int64 if integral else np.float32)
    values = np.arange(start, end, step, dtype=np.int64 if integral else np.float64)
    return Tensor(values, dtype=dtype, requires_grad=requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, steps), dtype, requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: Generator = None) -> Tensor:
    """Uniform samples from [0, 1) of shape ``size``."""
    return _make(_random.resolve(generator).random(_shape(size, "rand")), dtype, requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: Generator = None) -> Tensor:
    """Standard normal samples of shape ``size``."""
    data = _random.resolve(generator).standard_normal(_shape(size, "randn"))
    return _make(data, dtype, requires_grad)


def rand_like(input: Any, *, dtype: Any = None, requires_grad: bool = False,  # noqa: A002
              generator: Generator = None) -> Tensor:
    """Uniform [0, 1) samples with ``input``'s shape (and dtype, if floating)."""
    shape, dtype = _like(input, dtype)
    return rand(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randn_like(input: Any, *, dtype: Any = None, requires_grad: bool = False,  # noqa: A002
               generator: Generator = None) -> Tensor:
    """Standard normal samples with ``input``'s shape (and dtype, if floating)."""
    shape, dtype = _like(input, dtype)
    return randn(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randint(*args: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
            generator: Generator = None) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``, as torch; int64 unless ``dtype``.
    """
    args = args + ((size,) if size is not None else ())
    if len(args) == 2:
        args = (0, *args)
    if len(args) != 3:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high, shape = int(args[0]), int(args[1]), _shape((args[2],), "randint")
    if low >= high:
        raise ValueError(f"randint: low ({low}) must be smaller than high ({high})")
    data = _random.resolve(generator).integers(low, high, size=shape, dtype=np.int64)
    return Tensor(data, dtype=_given(dtype, np.int64), requires_grad=requires_grad)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: output i varies along axis i (``indexing="ij"``,
    torch's default) or, with ``"xy"``, the first two axes swap (NumPy's default).

    Differentiable: each grid is a broadcast of its input.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    for i, t in enumerate(ts):
        if t.ndim > 1:
            raise ValueError(f"meshgrid: tensor {i} has shape {t.shape}, expected 0-d or 1-D")
    sizes = [t.data.size for t in ts]
    if indexing == "xy" and len(ts) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, t in enumerate(ts):
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and len(ts) >= 2 else i
        view = [1] * len(ts)
        view[axis] = -1
        grids.append(t.reshape(tuple(view)).broadcast_to(tuple(sizes)))
    return tuple(grids)
