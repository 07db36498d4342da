"""Entry points for splitting and rearranging: split, chunk, unbind, roll, flip, tile and
torch's ``Tensor.repeat``, repeat_interleave, tril, triu, diag and ``Tensor.expand``.

The pieces of split, chunk and unbind are slices of the input (each a view in the graph
whose gradient lands in its own part); expand is a broadcast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.axes import check_axis, pick_axis
from chainrule.autograd.entry.args import as_tensor as _t
from chainrule.autograd.ops.rearrange import Diag, Flip, RepeatInterleave, Roll, Tile, Triangle
from chainrule.autograd.ops.shape import BroadcastTo
from chainrule.autograd.tensor import Tensor

__all__ = ["chunk", "diag", "flip", "repeat_interleave", "roll", "split", "tile", "tril",
           "triu", "unbind"]


def _ints(values: tuple) -> tuple[int, ...]:
    """``(1, 2)`` from ``(1, 2)``, ``((1, 2),)`` or ``([1, 2],)``."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = tuple(values[0])
    return tuple(int(v) for v in values)


def _along(x: Tensor, axis: int, start: int, stop: int) -> Tensor:
    return x[(slice(None),) * axis + (slice(start, stop),)]


def split(tensor: Any, split_size_or_sections: int | list[int], dim: int | None = None, *,
          axis: int | None = None) -> tuple[Tensor, ...]:
    """Pieces along ``dim`` (default 0): of ``split_size_or_sections`` elements each (the last
    may be smaller), or of the listed sizes, which must add up to the axis.
    """
    x = _t(tensor)
    ax = check_axis("split", pick_axis("split", axis, dim, 0), x.ndim)
    if x.ndim == 0:
        raise ValueError("split: a 0-d tensor has no axis to split")
    n = x.shape[ax]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and n:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} must be non-negative and add up to "
                             f"the size {n} of dim {ax}")
    bounds = np.cumsum([0, *sizes])
    return tuple(_along(x, ax, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:],
                                                                strict=True))


def chunk(input: Any, chunks: int, dim: int | None = None, *,  # noqa: A002
          axis: int | None = None) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces along ``dim`` (default 0), each ceil(n / chunks) long but the
    last (as torch: fewer pieces when the axis is short).
    """
    if chunks < 1:
        raise ValueError(f"chunk: chunks must be at least 1, got {chunks}")
    x = _t(input)
    ax = check_axis("chunk", pick_axis("chunk", axis, dim, 0), x.ndim)
    n = x.shape[ax] if x.ndim else 0
    return split(x, max(-(-n // chunks), 1), ax)


def unbind(input: Any, dim: int | None = None, *, axis: int | None = None) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices along ``dim`` (default 0), each without that axis."""
    x = _t(input)
    if x.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no axis to unbind")
    ax = check_axis("unbind", pick_axis("unbind", axis, dim, 0), x.ndim)
    return tuple(x[(slice(None),) * ax + (i,)] for i in range(x.shape[ax]))


def roll(input: Any, shifts: int | tuple[int, ...], dims: Any = None, *,  # noqa: A002
         axis: Any = None) -> Tensor:
    """Shift elements by ``shifts`` along ``dims`` with wrap-around; with no dims, roll the
    flattened tensor and restore its shape.
    """
    x = _t(input)
    dims = pick_axis("roll", axis, dims)
    shifts_t = _ints((shifts,))
    if dims is None:
        if len(shifts_t) != 1:
            raise ValueError(f"roll: {len(shifts_t)} shifts need as many dims")
        return Roll.apply(x.reshape(-1), shifts=shifts_t, axes=(0,)).reshape(x.shape)
    axes = tuple(check_axis("roll", d, x.ndim) for d in _ints((dims,)))
    if len(axes) != len(shifts_t):
        raise ValueError(f"roll: {len(shifts_t)} shifts but {len(axes)} dims")
    if x.ndim == 0:
        return x
    return Roll.apply(x, shifts=shifts_t, axes=axes)


def flip(input: Any, *dims: Any, axis: Any = None) -> Tensor:  # noqa: A002
    """Reverse the order of elements along ``dims`` (``flip(x, (0, 1))`` or ``x.flip(0, 1)``)."""
    x = _t(input)
    given = pick_axis("flip", axis, _ints(dims) if dims else None)
    if given is None:
        raise TypeError("flip: the dims to flip are required")
    axes = tuple(check_axis("flip", d, x.ndim) for d in _ints((given,)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"flip: dims {given} repeat an axis")
    return Flip.apply(x, axes=axes) if x.ndim else x


def tile(input: Any, *dims: Any) -> Tensor:  # noqa: A002
    """Copies of ``input`` side by side: ``dims[i]`` along axis i (missing leading ones are 1)."""
    x = _t(input)
    reps = _ints(dims)
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: repetitions must be non-negative, got {reps}")
    reps = (1,) * (x.ndim - len(reps)) + reps
    return Tile.apply(x, reps=reps)


def repeat(input: Any, *sizes: Any) -> Tensor:  # noqa: A002
    """torch's ``Tensor.repeat``: ``sizes[i]`` copies along axis i; there must be at least as
    many sizes as axes (extra ones add leading axes).
    """
    x = _t(input)
    reps = _ints(sizes)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: {len(reps)} sizes {reps} for a tensor with {x.ndim} "
                         f"dimensions; give at least one per dimension")
    return tile(x, reps)


def repeat_interleave(input: Any, repeats: Any, dim: int | None = None, *,  # noqa: A002
                      axis: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times (an int, or one count per element) in place
    along ``dim``; with no dim, of the flattened tensor.
    """
    x = _t(input)
    counts = np.asarray(repeats.data if isinstance(repeats, Tensor) else repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or (counts < 0).any():
        raise ValueError(f"repeat_interleave: repeats must be a non-negative integer or a 1-D "
                         f"tensor of them, got {repeats!r}")
    d = pick_axis("repeat_interleave", axis, dim)
    if d is None:
        x, ax = x.reshape(-1), 0
    else:
        ax = check_axis("repeat_interleave", d, x.ndim)
        x = x.reshape(1) if x.ndim == 0 else x
    if counts.ndim == 1 and counts.size not in (1, x.shape[ax]):
        raise ValueError(f"repeat_interleave: {counts.size} repeats for dim {ax} of size "
                         f"{x.shape[ax]}")
    return RepeatInterleave.apply(x, repeats=counts.astype(np.int64), axis=ax)


def _triangle(op: str, input: Any, diagonal: int, upper: bool) -> Tensor:
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"{op}: needs at least 2 dimensions, got shape {x.shape}")
    return Triangle.apply(x, diagonal=int(diagonal), upper=upper)


def tril(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two axes: elements (i, j) with j - i <= diagonal."""
    return _triangle("tril", input, diagonal, upper=False)


def triu(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two axes: elements (i, j) with j - i >= diagonal."""
    return _triangle("triu", input, diagonal, upper=True)


def diag(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D tensor placed on diagonal ``diagonal`` of a square matrix, or a matrix's
    diagonal ``diagonal`` as a 1-D tensor (positive: above the main one).
    """
    x = _t(input)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    return Diag.apply(x, k=int(diagonal))


def expand(input: Any, *sizes: Any) -> Tensor:  # noqa: A002
    """torch's ``Tensor.expand``: broadcast to ``sizes``, where -1 keeps an axis's size; new
    axes may be added in front. No data is copied.
    """
    x = _t(input)
    target = _ints(sizes)
    lead = len(target) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(target)} sizes {target} for a tensor with {x.ndim} "
                         f"dimensions")
    shape = tuple(x.shape[i - lead] if n == -1 and i >= lead else n
                  for i, n in enumerate(target))
    if any(n < 0 for n in shape):
        raise ValueError(f"expand: -1 is not allowed for a new leading dimension in {target}")
    return BroadcastTo.apply(x, shape=shape)
