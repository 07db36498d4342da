"""The strict schema: steps and layers are tagged unions whose variants take only their own
options; unknown keys name the key, the value and what is allowed."""

import pytest

from chainrule.config import ConfigError, validate
from chainrule.config.layers import LAYER_MODELS
from chainrule.nn import registry

LAYERS = [{"type": "linear", "out_features": 16}, {"type": "relu"},
          {"type": "linear", "out_features": 3}]


def _raw(**sections):
    return {"model": {"layers": [dict(x) for x in LAYERS]}, **sections}


@pytest.mark.parametrize("section, step, message", [
    ("augment", {"name": "flip", "degrees": 30},
     r"augment\.0\.degrees: unknown key \(got 30\); allowed keys in augment\.0: "
     r"horizontal, name, p, vertical"),
    ("augment", {"name": "rotate", "p": 0.5}, r"augment\.0\.p: unknown key \(got 0\.5\)"),
    ("augment", {"name": "crop"}, r"augment\.0\.size: required key is missing"),
    ("augment", {"name": "blur"}, r"augment\.0\.name: unknown value 'blur'; allowed: 'flip'"),
    ("preprocess", {"name": "standardize", "n_components": 5},
     r"preprocess\.0\.n_components: unknown key \(got 5\); allowed keys in preprocess\.0: name"),
    ("preprocess", {"name": "zca_whiten", "n_components": 5}, r"allowed keys in preprocess"
     r"\.0: eps, name"),
])
def test_steps_accept_only_their_own_options(section, step, message):
    with pytest.raises(ConfigError, match=message):
        validate(_raw(**{section: [{"name": "noise"} if section == "augment" else
                                   {"name": "centre"}][:0] + [step]}))


def test_the_error_names_the_right_item_of_a_list():
    raw = _raw(augment=[{"name": "noise", "std": 0.1}, {"name": "flip", "degrees": 3}])
    with pytest.raises(ConfigError, match=r"augment\.1\.degrees: unknown key \(got 3\); "
                                          r"allowed keys in augment\.1: horizontal, name"):
        validate(raw)
    raw = _raw()
    raw["model"]["layers"][1]["p"] = 0.5
    with pytest.raises(ConfigError, match=r"model\.layers\.1\.p: unknown key \(got 0\.5\); "
                                          r"allowed keys in model\.layers\.1: type$"):
        validate(raw)


def test_valid_steps_keep_their_options():
    config = validate(_raw(augment=[{"name": "flip", "vertical": True, "p": 0.25},
                                    {"name": "rotate", "degrees": 30}],
                           preprocess=[{"name": "pca_whiten", "n_components": 0.9}]))
    flip, rotate = config.augment
    assert (flip.vertical, flip.p, rotate.degrees) == (True, 0.25, 30)
    assert config.preprocess[0].n_components == 0.9 and config.preprocess[0].eps == 1e-5


def test_every_registered_layer_kind_is_a_config_layer_with_its_options():
    assert set(LAYER_MODELS) == set(registry.kinds())
    for name, kind in registry.kinds().items():
        fields = set(LAYER_MODELS[name].model_fields)
        assert fields == {"type", *kind.options}, name


def test_layer_options_keep_their_bounds_and_defaults():
    raw = _raw()
    raw["model"]["layers"][1:1] = [{"type": "dropout", "p": 1.5}]
    with pytest.raises(ConfigError, match=r"model\.layers\.1\.p: Input should be less than 1"):
        validate(raw)
    raw["model"]["layers"][1] = {"type": "leaky_relu"}
    assert validate(raw).model.layers[1].negative_slope == 0.01
    raw["model"]["layers"][0] = {"type": "linear"}
    with pytest.raises(ConfigError, match=r"model\.layers\.0\.out_features: required key"):
        validate(raw)
