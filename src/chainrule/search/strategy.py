"""Samplers, pruners and the coarse-to-fine narrowing, all from Optuna's own classes.

- ``grid``: :class:`optuna.samplers.GridSampler`; every point is also enqueued once when
  the study is created, so several workers cover the grid exactly once between them.
- ``random``: :class:`optuna.samplers.RandomSampler` (Bergstra & Bengio: random beats grid
  when few hyperparameters matter).
- ``tpe``: :class:`optuna.samplers.TPESampler`.
- ``coarse_to_fine``: the random sampler over ranges that shrink round after round
  (:func:`narrowed_bounds`), all in one study.

Pruners: ``median`` (:class:`~optuna.pruners.MedianPruner`), ``successive_halving``
(:class:`~optuna.pruners.SuccessiveHalvingPruner`), ``hyperband``
(:class:`~optuna.pruners.HyperbandPruner` from 1 epoch to the configured epochs), ``none``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from chainrule.config.search import SearchConfig, SpaceEntry
from chainrule.search import space as sp
from chainrule.search.space import Bounds

if TYPE_CHECKING:
    import optuna


def make_sampler(cfg: SearchConfig, seed: int) -> optuna.samplers.BaseSampler:
    """The sampler of ``cfg.strategy`` seeded with ``seed``."""
    import optuna

    if cfg.strategy == "grid":
        grid = {k: list(e.values) for k, e in cfg.space.items()}
        return optuna.samplers.GridSampler(grid, seed=seed)
    if cfg.strategy == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def make_pruner(cfg: SearchConfig, epochs: int) -> optuna.pruners.BasePruner:
    """The pruner of ``cfg.pruner``; resources are epochs (or fold-epochs under CV)."""
    import optuna

    steps = epochs * max(cfg.cv_folds, 1)
    table = {
        "none": optuna.pruners.NopPruner,
        "median": optuna.pruners.MedianPruner,
        "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
        "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=1,
                                                            max_resource=max(steps, 2)),
    }
    return table[cfg.pruner]()


def round_of(rank: int, cfg: SearchConfig) -> int:
    """The coarse-to-fine round of the trial finishing ``rank``-th (0-based)."""
    per_round = math.ceil(cfg.n_trials / cfg.rounds)
    return min(rank // per_round, cfg.rounds - 1)


def _to_axis(x: float, log: bool) -> float:
    return math.log(x) if log else float(x)


def _from_axis(x: float, log: bool) -> float:
    return math.exp(x) if log else x


def narrowed_bounds(space: dict[str, SpaceEntry], finished: list[tuple[float, dict[str, Any]]],
                    cfg: SearchConfig, round_: int) -> Bounds:
    """Ranges for round ``round_`` around the best finished trials.

    ``finished`` holds ``(value, params)`` of completed trials, best first. Round 0 is the
    full range. Later rounds keep the best ``keep_fraction`` of the trials (at least two)
    and take their hull on the sampling axis (log where sampled on a log scale), padded
    by a quarter of the hull's width, then shrink the full range's width at most to
    ``0.5 ** round`` of itself around that hull's centre when the hull is wider. Ranges
    never leave the configured ones; choices are not narrowed (Optuna keeps one set of
    choices per key in a study).
    """
    if round_ == 0 or len(finished) < 2:
        return {}
    keep = max(2, math.ceil(cfg.keep_fraction * len(finished)))
    best = [params for _, params in finished[:keep]]
    bounds: Bounds = {}
    for key, entry in space.items():
        if entry.kind in ("choice", "grid") or (entry.step or 1) > 1:
            continue  # a stepped int keeps its lattice
        log = entry.is_log
        low, high = (_to_axis(v, log) for v in entry.values)
        seen = [_to_axis(p[key], log) for p in best if key in p]
        if not seen:
            continue
        lo, hi = min(seen), max(seen)
        pad = 0.25 * (hi - lo) + 0.05 * (high - low)
        lo, hi = lo - pad, hi + pad
        cap = (high - low) * 0.5 ** round_
        if hi - lo > cap:
            centre = 0.5 * (lo + hi)
            lo, hi = centre - cap / 2, centre + cap / 2
        lo, hi = max(lo, low), min(hi, high)
        new = (_from_axis(lo, log), _from_axis(hi, log))
        if entry.kind == "int":
            new = (math.floor(new[0] + 1e-9), math.ceil(new[1] - 1e-9))
            if new[0] >= new[1]:
                continue
        bounds[key] = (max(new[0], entry.values[0]), min(new[1], entry.values[1]))
    return bounds


def sample(study: optuna.Study, trial: optuna.Trial, cfg: SearchConfig, rank: int
           ) -> dict[str, Any]:
    """The trial's parameters: the sampler's draw, over ranges narrowed around the best
    completed trials for the ``rank``-th trial of a coarse-to-fine search."""
    import optuna

    bounds: sp.Bounds = {}
    if cfg.strategy == "coarse_to_fine":
        done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        done.sort(key=lambda t: t.value, reverse=cfg.resolved_direction == "maximize")
        bounds = narrowed_bounds(cfg.space, [(t.value, t.params) for t in done], cfg,
                                 round_of(rank, cfg))
        trial.set_user_attr("round", round_of(rank, cfg))
    return sp.suggest(trial, cfg.space, bounds)
