"""Movement ops: they rearrange elements, so each backward is the inverse rearrangement."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops.reduce import normalize_axes


class _NewShape(Function):
    """An op that only changes the shape (forward sets ``in_shape`` and ``out_shape``)."""

    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g.reshape(self.in_shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta.reshape(self.out_shape)


class Reshape(_NewShape):
    """View with a new shape (one -1 allowed); backward reshapes back."""

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.in_shape = a.shape
        try:
            out = a.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                             f"({a.size} elements) into shape {tuple(shape)}") from None
        self.out_shape = out.shape
        return out


class Transpose(Function):
    """Permute axes (reverse them when ``axes`` is None); backward applies the inverse.

    Negative axes count from the end; they are made non-negative before the
    inverse permutation is taken (``argsort`` of raw negative axes is wrong).
    """

    def forward(self, a: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        if axes is not None:
            n = a.ndim
            if len(axes) != n or any(not -max(n, 1) <= x < max(n, 1) for x in axes) or \
                    sorted(int(x) % max(n, 1) for x in axes) != list(range(n)):
                raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the "
                                 f"{n} axes of a tensor of shape {a.shape}")
            axes = tuple(int(x) % n for x in axes) if n else ()
        self.axes = axes
        return np.transpose(a, axes)

    def _inverse(self) -> tuple[int, ...] | None:
        return None if self.axes is None else tuple(np.argsort(self.axes))

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.transpose(g, self._inverse())

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.transpose(ta, self.axes)


class BroadcastTo(Function):
    """Broadcast to ``shape``; the engine sums the gradient back (the reverse of copying)."""

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        try:
            self.shape = shape
            return np.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: shape {a.shape} cannot be broadcast to "
                             f"{tuple(shape)}") from None

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.broadcast_to(ta, self.shape)


class Squeeze(_NewShape):
    """Drop size-1 axes (all of them, or those named; axis 0 or -1 of a 0-d tensor is a no-op)."""

    def forward(self, a: np.ndarray, axis: int | tuple[int, ...] | None = None) -> np.ndarray:
        self.in_shape = a.shape
        if axis is not None:
            axis = normalize_axes(axis, a.ndim)
            for ax in axis:
                if a.shape[ax] != 1:
                    raise ValueError(f"squeeze: axis {ax} of shape {a.shape} has size "
                                     f"{a.shape[ax]}, not 1")
        out = np.squeeze(a, axis=axis)
        self.out_shape = out.shape
        return out


class Unsqueeze(Function):
    """Insert a size-1 axis at ``axis``."""

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.in_shape = a.shape
        self.axis = axis
        return np.expand_dims(a, axis)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g.reshape(self.in_shape)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.expand_dims(ta, self.axis)


class Concatenate(Function):
    """Join tensors along an existing axis; backward splits the gradient."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        self.bounds = np.cumsum([a.shape[axis] if a.ndim else 1 for a in arrays])[:-1]
        try:
            return np.concatenate(arrays, axis=axis)
        except ValueError as exc:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not "
                             f"match ({exc})") from None

    def backward(self, g: np.ndarray) -> tuple:
        return tuple(np.split(g, self.bounds, axis=self.axis))

    def jvp(self, *tangents: np.ndarray) -> np.ndarray:
        return np.concatenate(tangents, axis=self.axis)


class Stack(Function):
    """Join equally shaped tensors along a new axis."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        try:
            return np.stack(arrays, axis=axis)
        except ValueError:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"stack: every tensor must have the same shape, got {shapes}") \
                from None

    def backward(self, g: np.ndarray) -> tuple:
        return tuple(np.moveaxis(g, self.axis, 0))

    def jvp(self, *tangents: np.ndarray) -> np.ndarray:
        return np.stack(tangents, axis=self.axis)


class Pad(Function):
    """Constant padding (``pad_width`` as in ``np.pad``); backward slices the middle out."""

    def forward(self, a: np.ndarray, pad_width: Any, value: float = 0.0) -> np.ndarray:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
        if (widths < 0).any():
            raise ValueError(f"pad: widths must be non-negative, got {pad_width}")
        self.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, a.shape,
                                                                      strict=True))
        self.widths = widths
        return np.pad(a, widths, mode="constant", constant_values=value)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g[self.window]

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return np.pad(ta, self.widths)


def _scatter_add(shape: tuple[int, ...], index: Any, g: np.ndarray, basic: bool) -> np.ndarray:
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices accumulate)."""
    out = np.zeros(shape, dtype=g.dtype)
    if basic:
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


class GetItem(Function):
    """``a[index]`` for ints, slices, None, Ellipsis, integer and boolean arrays."""

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        self.shape, self.index = a.shape, index
        try:
            return np.asarray(a[index])
        except IndexError as exc:
            raise IndexError(f"index {index!r} is invalid for a tensor of shape {a.shape}: "
                             f"{exc}") from None

    def backward(self, g: np.ndarray) -> np.ndarray:
        return _scatter_add(self.shape, self.index, g, _is_basic(self.index))

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta[self.index]


class TakeAlongAxis(Function):
    """``np.take_along_axis(a, indices, axis)``; backward scatter-adds."""

    def forward(self, a: np.ndarray, indices: np.ndarray, axis: int) -> np.ndarray:
        if indices.dtype.kind not in "iu":
            raise TypeError(f"take_along_axis: indices must be integers, got {indices.dtype}")
        if indices.ndim != a.ndim:
            raise ValueError(f"take_along_axis: indices of shape {indices.shape} must have as "
                             f"many dimensions as the tensor of shape {a.shape}")
        self.shape, self.axis = a.shape, axis % a.ndim
        out = np.take_along_axis(a, indices, axis)
        grids = list(np.ogrid[tuple(slice(n) for n in out.shape)])
        grids[self.axis] = np.broadcast_to(indices, out.shape)
        self.index = tuple(grids)
        return out

    def backward(self, g: np.ndarray) -> np.ndarray:
        return _scatter_add(self.shape, self.index, g, basic=False)

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return ta[self.index]
