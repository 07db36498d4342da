"""Which way is better for a monitored quantity, shared by EarlyStopping and Checkpoint."""

from __future__ import annotations

import math

from chainrule.train.metrics import GREATER_IS_BETTER


def resolve_mode(monitor: str, mode: str, owner: str) -> str:
    """'min' or 'max' for ``monitor``; 'auto' looks the metric name up (``val_`` stripped)."""
    if mode in ("min", "max"):
        return mode
    if mode != "auto":
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name in GREATER_IS_BETTER:
        return "max" if GREATER_IS_BETTER[name] else "min"
    raise ValueError(f"{owner} received monitor={monitor!r}, but cannot tell whether it should "
                     "be minimised or maximised; pass mode='min' or mode='max'")


def improved(value: float, best: float | None, mode: str, min_delta: float = 0.0) -> bool:
    """Whether ``value`` beats ``best`` by more than ``min_delta`` in direction ``mode``."""
    if value is None or math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta
