from pathlib import Path

import pytest

from chainrule.config import ConfigError, apply_override, load_config, to_toml, validate

CONFIGS = Path(__file__).parents[2] / "configs"
LAYERS = {"layers": [{"type": "linear", "out_features": 16}, {"type": "relu"},
                     {"type": "linear", "out_features": 3}]}


@pytest.mark.parametrize("name", ["digits_mlp", "mnist_mlp", "xor"])
def test_shipped_configs_validate_and_round_trip(name, tmp_path):
    config = load_config(CONFIGS / f"{name}.toml")
    assert config.name == name
    (tmp_path / "c.toml").write_text(to_toml(config))
    assert load_config(tmp_path / "c.toml") == config


def test_overrides_set_nested_values_and_list_items():
    raw = {"model": {"layers": [dict(x) for x in LAYERS["layers"]]}}
    for assignment in ["optimizer.name=sgd", "optimizer.lr=0.05", "optimizer.nesterov=true",
                       "optimizer.momentum=0.9", "model.layers.0.out_features=64",
                       "train.metrics=['accuracy', 'f1']"]:
        apply_override(raw, assignment)
    config = validate(raw)
    assert config.optimizer.name == "sgd" and config.optimizer.lr == 0.05
    assert config.optimizer.nesterov is True
    assert config.model.layers[0].out_features == 64
    assert config.train.metrics == ["accuracy", "f1"]


@pytest.mark.parametrize("override, message", [
    ("optimizer.lr=-1", r"optimizer\.lr: Input should be greater than 0 \(got -1\)"),
    ("optimizer.lrr=0.1",
     r"optimizer\.lrr: unknown key \(got 0\.1\); allowed keys in optimizer: .*lr"),
    ("train.epochs='many'", r"train\.epochs: Input should be a valid integer"),
    ("optimizer.name=lion", r"optimizer\.name: unknown value 'lion'; allowed: 'sgd', 'adam'"),
    ("data.dataset=cifar", r"data\.dataset: Input should be 'digits'"),
    ("train.bogus=1", r"train\.bogus: unknown key \(got 1\); allowed keys in train: .*batch_size"),
    ("model.layers.1.p=0.5",
     r"model\.layers\.1\.p: unknown key \(got 0\.5\); allowed keys in model\.layers\.1: type$"),
    ("schedule.name=step", r"schedule\.step_size: required key is missing"),
    ("optimizer.betas=[0.9, 1.5]", r"optimizer\.betas\.1: Input should be less than 1"),
])
def test_invalid_values_name_the_key_the_value_and_what_is_allowed(override, message):
    raw = {"model": {"layers": [dict(x) for x in LAYERS["layers"]]},
           "optimizer": {"name": "adam"}}
    apply_override(raw, override)
    with pytest.raises(ConfigError, match=message):
        validate(raw)


def test_file_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="expects key=value"):
        apply_override({}, "optimizer.lr")
    with pytest.raises(ConfigError, match="not an index"):
        apply_override({"model": {"layers": []}}, "model.layers.3.p=1")
    missing = tmp_path / "nomodel.toml"
    missing.write_text('name = "x"\n')
    with pytest.raises(ConfigError, match="model: required key is missing"):
        load_config(missing)
