"""The search space: sampling config keys through an Optuna trial, and checking ranges early.

A key is a dotted path into the run config (``optimizer.lr``,
``model.layers.0.out_features``); a sampled value is written into the config's raw
dict exactly as ``--set key=value`` would, and the result is validated by the run
schema before the trial trains.
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import TYPE_CHECKING, Any

from chainrule.config.loading import ConfigError, apply_override, validate
from chainrule.config.schema import RunConfig
from chainrule.config.search import SpaceEntry

if TYPE_CHECKING:
    import optuna

Bounds = dict[str, tuple[float, float]]


def with_params(raw: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the raw config with each dotted key set to its value."""
    out = copy.deepcopy(raw)
    for key, value in params.items():
        try:
            apply_override(out, f"{key}={json.dumps(value)}")
        except ConfigError as exc:
            raise ConfigError(f"search.space.{key}: {str(exc).split(': ', 1)[-1]}") from None
    return out


def config_for(raw: dict[str, Any], params: dict[str, Any]) -> RunConfig:
    """The validated run config of one trial."""
    return validate(with_params(raw, params), source="config of a search trial")


def probes(entry: SpaceEntry) -> list[Any]:
    """The values worth validating before any trial: both ends of a range, every choice."""
    if entry.kind in ("choice", "grid"):
        return list(entry.values)
    low, high = entry.values
    return [low, high]


def check_space(raw: dict[str, Any], space: dict[str, SpaceEntry]) -> None:
    """Validate the config at every probe of every key (one key at a time, the others at
    their base values); raise :class:`ConfigError` naming the key and the value.

    Catches bad ranges (``optimizer.lr`` down to 0, dropout ``p`` up to 1.5), unknown
    keys and list indices out of range before a single trial runs.
    """
    for key, entry in space.items():
        for value in probes(entry):
            try:
                validate(with_params(raw, {key: value}))
            except ConfigError as exc:
                detail = str(exc).split("\n", 1)[-1].strip()
                raise ConfigError(f"search.space.{key}: the value {value!r} of its "
                                  f"{entry.kind} makes an invalid config: {detail}") from None


def suggest(trial: optuna.Trial, space: dict[str, SpaceEntry],
            bounds: Bounds | None = None) -> dict[str, Any]:
    """Sample every key through ``trial``; ``bounds`` narrows numeric ranges (coarse-to-fine).

    Optuna keeps one distribution kind per key across a study, so a narrowed range is
    still a float (or int) distribution with the same ``log`` flag.
    """
    bounds = bounds or {}
    params: dict[str, Any] = {}
    for key, entry in space.items():
        kind = entry.kind
        if kind in ("choice", "grid"):
            params[key] = trial.suggest_categorical(key, list(entry.values))
            continue
        low, high = bounds.get(key, entry.values)
        if kind == "int":
            params[key] = trial.suggest_int(key, int(low), int(high), step=entry.step or 1,
                                            log=entry.log)
        else:
            params[key] = trial.suggest_float(key, low, high, log=kind == "log_uniform")
    return params


def grid_points(space: dict[str, SpaceEntry]) -> list[dict[str, Any]]:
    """Every point of the grid of the ``grid``/``choice`` entries, in order."""
    keys = list(space)
    values = [list(space[k].values) for k in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
