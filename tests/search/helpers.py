"""A tiny classification run (two moons, one epoch of a few steps) for search tests."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "name": "tiny",
    "data": {"dataset": "moons", "samples": 160, "noise": 0.2, "val_fraction": 0.25,
             "test_fraction": 0.25},
    "model": {"layers": [{"type": "linear", "out_features": 8}, {"type": "tanh"},
                         {"type": "linear", "out_features": 2}]},
    "optimizer": {"name": "adam", "lr": 0.01},
    "train": {"epochs": 2, "batch_size": 32, "divergence_guard": False},
}


def tiny(search: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    """The tiny raw config, with a ``[search]`` section and other sections replaced."""
    raw = copy.deepcopy(BASE)
    raw.update(copy.deepcopy(sections))
    if search is not None:
        raw["search"] = dict(search)
    return raw
