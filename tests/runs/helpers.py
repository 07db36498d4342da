"""A small MLP run config for the tests of the runs layer and its commands."""

from __future__ import annotations

from typing import Any

from chainrule.config import RunConfig, validate


def mlp_config(name: str, data: dict[str, Any], *, hidden: int = 16, classes: int = 2,
               epochs: int = 3, seed: int = 0, **sections: Any) -> RunConfig:
    """``linear(hidden), relu, linear(classes)`` on ``data``, Adam at lr 0.01, batch 32;
    ``sections`` adds or replaces top-level tables (``preprocess=[...]``)."""
    return validate({
        "name": name, "data": data,
        "model": {"layers": [{"type": "linear", "out_features": hidden}, {"type": "relu"},
                             {"type": "linear", "out_features": classes}]},
        "optimizer": {"name": "adam", "lr": 0.01},
        "train": {"epochs": epochs, "batch_size": 32, "seed": seed}, **sections})
