"""The scratch-array cache: reserved arrays are never handed out twice; free ones are trimmed."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.ops import workspace


class Owner:
    pass


def _cached_bytes() -> int:
    return sum(slot[0].nbytes for slots in workspace._slots.values() for slot in slots)


def test_reserved_arrays_are_distinct_and_free_again_when_the_owner_goes():
    workspace.clear()
    a, b = Owner(), Owner()
    first = workspace.take((4, 5), np.float32, a)
    second = workspace.take((4, 5), np.float32, b)
    assert first is not second
    del a
    assert workspace.take((4, 5), np.float32) is first


def test_free_arrays_beyond_the_limit_are_dropped_oldest_first(monkeypatch):
    workspace.clear()
    monkeypatch.setattr(workspace, "LIMIT_BYTES", 3000)
    keep, gone = Owner(), Owner()
    held = workspace.take((100,), np.float64, keep)  # 800 bytes, reserved: never dropped
    workspace.take((100,), np.float64, gone)  # behind the reserved one, free once gone goes
    del gone
    for n in (101, 102, 103):  # 808..824 bytes each, free at once
        workspace.take((n,), np.float64)
    assert _cached_bytes() <= 3000
    assert [slot[0] for slot in workspace._slots[((100,), "<f8")]] == [held]
    assert ((103,), "<f8") in workspace._slots  # the newest stays
