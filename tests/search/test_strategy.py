import math

import numpy as np
import optuna

from chainrule.config.search import SearchConfig
from chainrule.search.strategy import make_pruner, make_sampler, narrowed_bounds, round_of, sample

optuna.logging.set_verbosity(optuna.logging.WARNING)

SPACE = {"optimizer.lr": {"log_uniform": [1e-6, 1.0]},
         "regularization.l2": {"log_uniform": [1e-7, 1e-1]}}
OPTIMUM = {"optimizer.lr": 3e-3, "regularization.l2": 2e-5}


def synthetic(params):
    """A bowl in log space with its minimum (0) at OPTIMUM."""
    return sum((math.log10(params[k]) - math.log10(v)) ** 2 for k, v in OPTIMUM.items())


def search(strategy, trials, seed):
    cfg = SearchConfig(space=SPACE, strategy=strategy, trials=trials, seed=seed, rounds=3)
    study = optuna.create_study(sampler=make_sampler(cfg, seed))
    for rank in range(trials):
        trial = study.ask()
        study.tell(trial, synthetic(sample(study, trial, cfg, rank)))
    return study, cfg


def test_coarse_to_fine_narrows_around_the_optimum_in_log_space():
    study, cfg = search("coarse_to_fine", 45, seed=0)
    rounds = [t.user_attrs["round"] for t in study.trials]
    assert rounds == [0] * 15 + [1] * 15 + [2] * 15
    done = sorted(study.trials, key=lambda t: t.value)
    bounds = narrowed_bounds(cfg.space, [(t.value, t.params) for t in done], cfg, 2)
    for key, (low, high) in bounds.items():
        full_low, full_high = cfg.space[key].values
        assert low <= OPTIMUM[key] <= high, key
        # at most a quarter of the full width in log space at round 2
        assert math.log(high / low) <= 0.25 * math.log(full_high / full_low) + 1e-9
    late = [t for t in study.trials if t.user_attrs["round"] == 2]
    assert all(bounds["optimizer.lr"][0] * 0.99 <= t.params["optimizer.lr"] <=
               bounds["optimizer.lr"][1] * 1.01 for t in late[-3:])


def test_coarse_to_fine_beats_random_search_with_the_same_budget():
    fine = [search("coarse_to_fine", 30, seed)[0].best_value for seed in range(6)]
    rand = [search("random", 30, seed)[0].best_value for seed in range(6)]
    assert np.median(fine) < 0.5 * np.median(rand)
    assert sum(f < r for f, r in zip(fine, rand, strict=True)) >= 5


def test_round_of_splits_the_budget_in_rounds():
    cfg = SearchConfig(space=SPACE, strategy="coarse_to_fine", trials=10, rounds=3)
    assert [round_of(r, cfg) for r in range(10)] == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


def test_samplers_and_pruners_are_optunas():
    cfg = SearchConfig(space={"a": {"grid": [1, 2]}}, strategy="grid")
    assert isinstance(make_sampler(cfg, 0), optuna.samplers.GridSampler)
    assert isinstance(make_sampler(SearchConfig(space=SPACE), 0), optuna.samplers.TPESampler)
    kinds = {"none": optuna.pruners.NopPruner, "median": optuna.pruners.MedianPruner,
             "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
             "hyperband": optuna.pruners.HyperbandPruner}
    for name, kind in kinds.items():
        assert isinstance(make_pruner(SearchConfig(space=SPACE, pruner=name), 5), kind)
