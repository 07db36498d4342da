"""Entry points for indexing with torch's semantics: gather, scatter, scatter_add,
index_select, masked_fill, masked_select, one_hot and nonzero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.axes import check_axis
from chainrule.autograd.entry.args import as_tensor as _t
from chainrule.autograd.ops.arithmetic import Where
from chainrule.autograd.ops.index import Gather, Scatter
from chainrule.autograd.tensor import Tensor

__all__ = ["gather", "index_select", "masked_fill", "masked_select", "nonzero", "one_hot",
           "scatter", "scatter_add"]


def _index(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def gather(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    """Values of ``input`` along ``dim`` at ``index`` (same ndim): torch.gather."""
    x = _t(input)
    return Gather.apply(x, index=_index(index), axis=check_axis("gather", dim, x.ndim))


def _scatter(op: str, input: Any, dim: int, index: Any, src: Any, add: bool) -> Tensor:
    x = _t(input)
    source = src if isinstance(src, Tensor) else x._other(src)
    if source.dtype != x.dtype:
        raise TypeError(f"{op}: src is {source.dtype} but the input is {x.dtype}")
    return Scatter.apply(x, source, index=_index(index), axis=check_axis(op, dim, x.ndim),
                         add=add)


def scatter(input: Any, dim: int, index: Any, src: Any = None, *,  # noqa: A002
            value: Any = None) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor, or a scalar ``value``) written at ``index``
    along ``dim``: out[index[i][j]][j] = src[i][j] for dim 0. Where an index repeats, one
    of the writes wins (unspecified which, as in torch).
    """
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    return _scatter("scatter", input, dim, index, value if src is None else src, add=False)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:  # noqa: A002
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    return _scatter("scatter_add", input, dim, index, src, add=True)


def index_select(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slices of ``input`` at the 1-D ``index`` along ``dim``."""
    x = _t(input)
    idx = _index(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise TypeError(f"index_select: index must be a 1-D integer tensor, got shape "
                        f"{idx.shape} and dtype {idx.dtype}")
    axis = check_axis("index_select", dim, x.ndim)
    return x[(slice(None),) * axis + (idx.reshape(-1),)] if x.ndim else x


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """``input`` with ``value`` wherever the boolean ``mask`` (broadcast to it) is true."""
    x, m = _t(input), _index(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be boolean, got {m.dtype}")
    try:
        fits = np.broadcast_shapes(m.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast to the "
                         f"input's shape {x.shape}")
    fill = value if isinstance(value, Tensor) else x._other(value)
    return Where.apply(*fill._operands(x), cond=m)


def masked_select(input: Any, mask: Any) -> Tensor:  # noqa: A002
    """The elements of ``input`` where ``mask`` is true, as a 1-D tensor (both broadcast)."""
    x, m = _t(input), _index(mask)
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ValueError(f"masked_select: mask of shape {m.shape} and input of shape "
                         f"{x.shape} cannot be broadcast together") from None
    x = x if x.shape == shape else x.broadcast_to(shape)
    return x[np.broadcast_to(m.astype(bool), shape)]


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: a new last axis of size ``num_classes`` (-1: max + 1)."""
    labels = _index(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class labels must be integers, got {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class labels must be non-negative, got {labels.min()}")
    top = int(labels.max()) + 1 if labels.size else 0
    if num_classes == -1:
        if not labels.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = top
    if top > num_classes:
        raise ValueError(f"one_hot: label {top - 1} is out of range for "
                         f"num_classes={num_classes}")
    out = np.zeros(labels.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, labels[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._wrap(out)


def nonzero(input: Any, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:  # noqa: A002
    """Positions of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per
    axis with ``as_tuple=True``.
    """
    data = _index(input)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(data)))
    return Tensor._wrap(np.argwhere(data).astype(np.int64))
