import numpy as np
import optuna
import pytest
from scipy import stats

from chainrule.config import ConfigError
from chainrule.config.search import SpaceEntry
from chainrule.search import space as sp
from tests.search.helpers import tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)


def entries(**raw):
    return {k.replace("__", "."): SpaceEntry.model_validate(v) for k, v in raw.items()}


def test_log_uniform_samples_are_uniform_in_log_space():
    space = entries(optimizer__lr={"log_uniform": [1e-5, 1e-1]})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    draws = []
    for _ in range(400):
        trial = study.ask()
        draws.append(sp.suggest(trial, space)["optimizer.lr"])
        study.tell(trial, 0.0)
    logs = np.log10(draws)
    assert stats.kstest(logs, stats.uniform(loc=-5, scale=4).cdf).pvalue > 0.01
    # and clearly not uniform on the linear scale: most draws sit in the bottom decades
    assert stats.kstest(draws, stats.uniform(loc=1e-5, scale=0.1).cdf).pvalue < 1e-6


def test_int_choice_and_bounds_override():
    space = entries(model__layers__0__out_features={"int": [4, 64], "log": True},
                    optimizer__name={"choice": ["adam", "sgd"]},
                    regularization__l2={"uniform": [0.0, 1.0]})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    for _ in range(20):
        trial = study.ask()
        p = sp.suggest(trial, space, {"regularization.l2": (0.25, 0.5)})
        assert isinstance(p["model.layers.0.out_features"], int)
        assert 4 <= p["model.layers.0.out_features"] <= 64
        assert p["optimizer.name"] in ("adam", "sgd")
        assert 0.25 <= p["regularization.l2"] <= 0.5
        study.tell(trial, 0.0)


def test_sampled_values_land_in_a_validated_config():
    raw = tiny()
    config = sp.config_for(raw, {"optimizer.lr": 0.003, "model.layers.0.out_features": 12,
                                 "optimizer.name": "adamw"})
    assert config.optimizer.lr == 0.003 and config.optimizer.name == "adamw"
    assert config.model.layers[0].out_features == 12
    assert raw["optimizer"]["lr"] == 0.01  # the base is not changed


@pytest.mark.parametrize("key, entry, named", [
    ("optimizer.lr", {"uniform": [-0.1, 0.1]}, "optimizer.lr"),
    ("model.layers.9.out_features", {"int": [4, 8]}, "model.layers.9.out_features"),
    ("optimizer.lrate", {"log_uniform": [1e-3, 1e-1]}, "optimizer.lrate"),
    ("model.layers.0.out_features", {"choice": [8, "wide"]}, "'wide'"),
])
def test_a_bad_range_is_an_error_naming_the_key(key, entry, named):
    with pytest.raises(ConfigError, match=f"search.space.{key}") as info:
        sp.check_space(tiny(), entries(**{key.replace(".", "__"): entry}))
    assert named in str(info.value)


def test_grid_points_are_the_full_product_in_order():
    space = entries(a={"grid": [1, 2]}, b={"choice": ["x", "y", "z"]})
    points = sp.grid_points(space)
    assert len(points) == 6 and points[0] == {"a": 1, "b": "x"} and points[-1] == {"a": 2,
                                                                                   "b": "z"}
    assert len({tuple(p.items()) for p in points}) == 6
