"""``F.pad`` with torch's signature: ``pad`` lists (before, after) amounts from the last
axis backwards, ``(left, right, top, bottom, ...)``, and ``mode`` is one of constant,
reflect, replicate and circular.

Constant padding may be negative (it crops, as torch). Reflect needs each amount below
the axis's size, circular at most the size, replicate a non-empty axis. torch limits the
non-constant modes to the last 1-3 axes of a batched input; here any trailing axes may be
padded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.ops.padding import PadIndexed
from chainrule.autograd.ops.shape import Pad
from chainrule.autograd.tensor import Tensor

__all__ = ["pad"]

MODES = ("constant", "reflect", "replicate", "circular")


def _widths(pad: Any, shape: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """``{axis: (before, after)}`` from torch's flat list, last axis first."""
    amounts = [int(p) for p in pad]
    if len(amounts) % 2 or len(amounts) // 2 > len(shape):
        raise ValueError(f"pad: {len(amounts)} amounts {tuple(amounts)} must come in "
                         f"(before, after) pairs, at most one pair per axis of shape {shape}")
    return {len(shape) - 1 - i: (amounts[2 * i], amounts[2 * i + 1])
            for i in range(len(amounts) // 2)}


def _check(mode: str, widths: dict[int, tuple[int, int]], shape: tuple[int, ...]) -> None:
    for ax, (lo, hi) in widths.items():
        n = shape[ax]
        if min(lo, hi) < 0:
            raise ValueError(f"pad: negative amounts {(lo, hi)} at dim {ax} are for "
                             f"mode='constant' only, not {mode!r}")
        if mode == "reflect" and max(lo, hi) >= max(n, 1):
            raise ValueError(f"pad: reflect padding {(lo, hi)} at dim {ax} must be smaller "
                             f"than its size {n}")
        if mode == "circular" and max(lo, hi) > n:
            raise ValueError(f"pad: circular padding {(lo, hi)} at dim {ax} must not exceed "
                             f"its size {n}")
        if mode == "replicate" and n == 0 and max(lo, hi) > 0:
            raise ValueError(f"pad: cannot replicate the edge of the empty dim {ax}")


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad ``input``: ``pad`` gives (before, after) amounts for the last axis, then the one
    before it, and so on. Defaults: mode="constant", value=0 (constant mode only).
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    if mode not in MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(MODES)}, got {mode!r}")
    widths = _widths(pad, x.shape)
    if mode != "constant":
        if value not in (None, 0):
            raise ValueError(f"pad: value={value} is only for mode='constant', not {mode!r}")
        _check(mode, widths, x.shape)
        return PadIndexed.apply(x, mode=mode, widths=widths) if widths else x
    crop = tuple(slice(max(-widths.get(ax, (0, 0))[0], 0),
                       n - max(-widths.get(ax, (0, 0))[1], 0)) for ax, n in enumerate(x.shape))
    if any(s.start or s.stop != n for s, n in zip(crop, x.shape, strict=True)):
        x = x[crop]
    grow = np.array([[max(w, 0) for w in widths.get(ax, (0, 0))] for ax in range(x.ndim)],
                    dtype=np.int64).reshape(x.ndim, 2)
    return Pad.apply(x, pad_width=grow, value=0.0 if value is None else value)
