"""The ``[search]``, ``[search.space]`` and ``[ensemble]`` sections of a run config.

A search samples values for config keys named by their dotted path and trains one run
per sample::

    [search]
    trials = 30
    metric = "val_accuracy"          # default "val_loss"; direction inferred unless given
    strategy = "tpe"                 # grid | random | tpe | coarse_to_fine
    pruner = "median"                # none | median | successive_halving | hyperband
    cv_folds = 0                     # k > 1: stratified k-fold on the training data

    [search.space]
    "optimizer.lr" = { log_uniform = [1e-4, 1e-1] }
    "model.layers.0.out_features" = { int = [32, 512], log = true }
    "optimizer.name" = { choice = ["sgd", "adam"] }
    "train.batch_size" = { grid = [32, 64, 128] }

Each entry has exactly one kind: ``log_uniform = [low, high]`` (uniform in log space),
``uniform = [low, high]``, ``int = [low, high]`` (inclusive, ``log = true`` for log
spacing, ``step`` for a coarser lattice), ``choice = [...]`` or ``grid = [...]`` (the
values a grid search walks; other strategies treat it as a choice).

``[ensemble]`` trains several members from one config (``seeds = 5``) or one run with a
cosine-with-restarts schedule keeping a snapshot per cycle (``snapshots = true``), and can
swap Polyak or EMA averaged weights into each member (``averaging``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PositiveInt, model_validator

from chainrule.config.section import Section

Scalar = bool | int | float | str
KINDS = ("log_uniform", "uniform", "int", "choice", "grid")
_FIELD = {"int": "int_range"}  # `int` is the TOML key; the attribute avoids the builtin


class SpaceEntry(Section):
    """One searched key: exactly one of ``log_uniform``, ``uniform``, ``int``, ``choice``,
    ``grid``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    log_uniform: tuple[float, float] | None = None
    uniform: tuple[float, float] | None = None
    int_range: tuple[int, int] | None = Field(None, alias="int")
    log: bool = False
    step: PositiveInt | None = None
    choice: list[Scalar] | None = Field(None, min_length=1)
    grid: list[Scalar] | None = Field(None, min_length=1)

    @property
    def kind(self) -> str:
        """Which of the five kinds this entry is."""
        return self._given()[0]

    @property
    def values(self) -> Any:
        """The entry's ``[low, high]`` or its list of values."""
        return getattr(self, _FIELD.get(self.kind, self.kind))

    def _given(self) -> list[str]:
        return [k for k in KINDS if getattr(self, _FIELD.get(k, k)) is not None]

    @property
    def is_log(self) -> bool:
        """Sampled uniformly in log space (``log_uniform``, or ``int`` with ``log = true``)."""
        return self.kind == "log_uniform" or (self.kind == "int" and self.log)

    @model_validator(mode="after")
    def _one_kind(self) -> SpaceEntry:
        given = self._given()
        if len(given) != 1:
            raise ValueError("give exactly one of log_uniform, uniform, int, choice, grid; got "
                             f"{given or 'none'}")
        kind = given[0]
        if self.log and kind != "int":
            raise ValueError(f"log = true applies to int ranges only (use log_uniform instead "
                             f"of {kind})")
        if self.step is not None and kind != "int":
            raise ValueError(f"step applies to int ranges only, not {kind}")
        if kind in ("log_uniform", "uniform", "int"):
            low, high = self.values
            if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
                raise ValueError(f"{kind} needs finite low < high, got [{low}, {high}]")
            if self.is_log and low <= 0:
                raise ValueError(f"{kind} on a log scale needs low > 0, got [{low}, {high}]")
            if self.log and self.step not in (None, 1):
                raise ValueError("int with log = true cannot have a step other than 1")
        else:
            values = self.values
            if len({repr(v) for v in values}) != len(values):
                raise ValueError(f"{kind} has repeated values: {values}")
        return self


class SearchConfig(Section):
    """How a hyperparameter search runs (see the module docstring)."""

    trials: PositiveInt | None = None  # None: the grid's size for strategy "grid", else 20
    direction: Literal["minimize", "maximize"] | None = None  # None: from the metric's name
    metric: str = "val_loss"
    strategy: Literal["grid", "random", "tpe", "coarse_to_fine"] = "tpe"
    pruner: Literal["none", "median", "successive_halving", "hyperband"] = "none"
    cv_folds: Annotated[int, Field(ge=0)] = 0
    rounds: Annotated[int, Field(ge=2)] = 3  # coarse_to_fine: random stage + narrowings
    keep_fraction: Annotated[float, Field(gt=0, le=1)] = 0.25  # coarse_to_fine: best kept
    importance: Literal["fanova", "mdi"] = "fanova"
    seed: Annotated[int, Field(ge=0)] = 0
    heartbeat: Annotated[float, Field(gt=0)] = 10.0  # seconds between a trial's heartbeats
    space: dict[str, SpaceEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SearchConfig:
        if self.cv_folds == 1:
            raise ValueError("cv_folds must be 0 (use the validation split) or at least 2")
        if self.strategy == "grid":
            ranged = [k for k, e in self.space.items() if e.kind not in ("grid", "choice")]
            if ranged:
                raise ValueError(f"strategy 'grid' needs grid or choice entries; {ranged} "
                                 "are ranges (give them grid = [...] or use strategy random)")
            if self.trials is not None and self.trials != self.grid_size:
                raise ValueError(f"trials = {self.trials} but the grid has {self.grid_size} "
                                 "points; leave trials out to run each point once")
        return self

    @property
    def grid_size(self) -> int:
        """Number of points of the full grid (product of grid/choice lengths)."""
        return math.prod(len(e.grid or e.choice or ()) for e in self.space.values())

    @property
    def n_trials(self) -> int:
        """Trials to finish (completed or pruned)."""
        if self.trials is not None:
            return self.trials
        return self.grid_size if self.strategy == "grid" else 20

    @property
    def resolved_direction(self) -> str:
        """``direction``, or ``minimize`` for losses and errors, ``maximize`` otherwise."""
        if self.direction is not None:
            return self.direction
        lowered = self.metric.lower()
        smaller = ("loss", "mse", "mae", "error", "rmse", "l1")
        return "minimize" if any(s in lowered for s in smaller) else "maximize"


class EnsembleConfig(Section):
    """Members from one config: ``seeds`` runs, or one run's per-cycle ``snapshots``."""

    seeds: Annotated[int, Field(ge=0)] = 0
    snapshots: bool = False
    cycles: Annotated[int, Field(ge=2)] = 5  # snapshot ensemble: restarts (= members)
    method: Literal["mean", "vote"] = "mean"
    averaging: Literal["none", "polyak", "ema"] = "none"
    ema_decay: Annotated[float, Field(gt=0, lt=1)] = 0.999

    @model_validator(mode="after")
    def _one_source(self) -> EnsembleConfig:
        if self.seeds == 1:
            raise ValueError("seeds must be 0 or at least 2 (one seed is not an ensemble)")
        if self.seeds and self.snapshots:
            raise ValueError("choose seeds = k or snapshots = true, not both")
        return self
