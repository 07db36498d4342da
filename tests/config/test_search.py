import pytest
from pydantic import ValidationError

from chainrule.config import ConfigError, load_config, to_toml, validate
from chainrule.config.search import EnsembleConfig, SearchConfig, SpaceEntry

LR = {"optimizer.lr": {"log_uniform": [1e-4, 1e-1]}}


@pytest.mark.parametrize("entry, message", [
    ({"log_uniform": [0.0, 1.0]}, "low > 0"),
    ({"uniform": [1.0, 1.0]}, "low < high"),
    ({"int": [8, 4]}, "low < high"),
    ({"uniform": [0.0, 1.0], "log": True}, "int ranges only"),
    ({"uniform": [0.0, 1.0], "choice": [1, 2]}, "exactly one"),
    ({}, "exactly one"),
    ({"choice": ["sgd", "sgd"]}, "repeated"),
    ({"grid": []}, "at least 1"),
])
def test_bad_entries_are_refused_with_the_reason(entry, message):
    with pytest.raises(ValidationError, match=message):
        SpaceEntry.model_validate(entry)


def test_entry_kinds_values_and_log_flags():
    assert SpaceEntry.model_validate({"int": [32, 512], "log": True}).is_log
    entry = SpaceEntry.model_validate({"int": [32, 512]})
    assert (entry.kind, tuple(entry.values), entry.is_log) == ("int", (32, 512), False)
    assert SpaceEntry.model_validate({"log_uniform": [1e-3, 1.0]}).is_log
    assert SpaceEntry.model_validate({"grid": [1, 2]}).kind == "grid"


def test_direction_follows_the_metric_unless_given():
    assert SearchConfig(space=LR).resolved_direction == "minimize"  # val_loss
    assert SearchConfig(space=LR, metric="val_accuracy").resolved_direction == "maximize"
    assert SearchConfig(space=LR, metric="val_accuracy",
                        direction="minimize").resolved_direction == "minimize"


def test_grid_needs_grid_entries_and_counts_its_points():
    grid = {"train.batch_size": {"grid": [16, 32, 64]}, "optimizer.name": {"choice": ["sgd",
                                                                                      "adam"]}}
    cfg = SearchConfig(space=grid, strategy="grid")
    assert (cfg.grid_size, cfg.n_trials) == (6, 6)
    with pytest.raises(ValidationError, match="optimizer.lr"):
        SearchConfig(space={**grid, **LR}, strategy="grid")
    with pytest.raises(ValidationError, match="grid has 6 points"):
        SearchConfig(space=grid, strategy="grid", trials=4)


def test_search_and_ensemble_sections_refuse_unknown_keys_and_bad_combinations():
    with pytest.raises(ValidationError, match="trails"):
        SearchConfig(space=LR, trails=3)
    with pytest.raises(ValidationError, match="cv_folds"):
        SearchConfig(space=LR, cv_folds=1)
    with pytest.raises(ValidationError, match="not both"):
        EnsembleConfig(seeds=3, snapshots=True)
    with pytest.raises(ValidationError, match="one seed"):
        EnsembleConfig(seeds=1)


def test_the_sections_plug_into_the_run_config_and_round_trip(tmp_path):
    raw = {"model": {"layers": [{"type": "linear", "out_features": 4}]},
           "search": {"space": {**LR, "model.layers.0.out_features": {"int": [2, 8],
                                                                      "log": True}}},
           "ensemble": {"seeds": 3}}
    config = validate(raw)
    assert config.search.space["optimizer.lr"].is_log and config.ensemble.seeds == 3
    assert validate({"model": raw["model"]}).search is None
    (tmp_path / "c.toml").write_text(to_toml(config))
    assert load_config(tmp_path / "c.toml", ["search.trials=50"]).search.trials == 50
    assert load_config(tmp_path / "c.toml") == config
    with pytest.raises(ConfigError, match="search.space.optimizer.lr"):
        validate({**raw, "search": {"space": {"optimizer.lr": {"log_uniform": [0, 1]}}}})
