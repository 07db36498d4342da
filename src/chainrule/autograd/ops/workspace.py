"""Reusable scratch arrays for the convolution ops (im2col columns, their gradients).

Allocating the tens of megabytes an im2col matrix takes costs page faults on
every step (measured on the MNIST CNN at batch 64: 146 ms a step with fresh
arrays, 111 ms reusing them). :func:`take` hands out a cached array of the
asked shape and dtype that no live op still holds: an op that saves the array
for its backward passes itself as ``owner``, and the array is free again once
that op is gone (the engine drops an op's context after its backward, or when
the graph is discarded). Arrays taken without an owner are free at the next
``take``, so they must not outlive the call that took them. Never hand a
workspace array to the engine as a gradient or to the user as an output.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

import numpy as np

# At most this many bytes of free arrays stay cached (the largest CNN of the
# benchmark needs about 90 MB at batch 128); the least recently used go first.
LIMIT_BYTES = 256 * 2**20

_slots: OrderedDict[tuple, list[list[Any]]] = OrderedDict()


def _free(slot: list[Any]) -> bool:
    owner = slot[1]
    return owner is None or owner() is None


def take(shape: tuple[int, ...], dtype: np.dtype, owner: object | None = None) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype`` that no live ``owner`` holds.

    With ``owner`` given the array stays reserved while ``owner`` is alive.
    """
    key = (tuple(shape), np.dtype(dtype).str)
    slots = _slots.get(key)
    if slots is None:
        slots = _slots[key] = []
    _slots.move_to_end(key)
    for slot in slots:
        if _free(slot):
            slot[1] = None if owner is None else weakref.ref(owner)
            return slot[0]
    array = np.empty(shape, dtype=dtype)
    slots.append([array, None if owner is None else weakref.ref(owner)])
    _trim()
    return array


def _trim() -> None:
    """Drop free cached arrays, least recently used first, while the cache is over its limit."""
    total = sum(slot[0].nbytes for slots in _slots.values() for slot in slots)
    for key in list(_slots):
        if total <= LIMIT_BYTES:
            return
        slots = _slots[key]
        total -= sum(slot[0].nbytes for slot in slots if _free(slot))
        slots[:] = [slot for slot in slots if not _free(slot)]
        if not slots:
            del _slots[key]


def clear() -> None:
    """Forget every cached array (arrays still held by live ops stay valid)."""
    _slots.clear()
