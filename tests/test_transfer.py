"""chainrule.transfer.features: a named layer's activations, batched, eval mode, no graph."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.data import ArrayDataset, DataLoader
from chainrule.transfer import features, head_name, transfer_weights


def _model() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(),
                         nn.Linear(2 * 4 * 4, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 2)))


def test_features_are_the_layers_activations_in_eval_mode():
    model = _model()
    x = np.random.default_rng(0).standard_normal((7, 1, 6, 6)).astype(np.float32)
    out = features(model, x, "4", batch_size=3)
    with cr.no_grad():  # by hand: conv, ReLU, (dropout is the identity in eval), linear
        h = model[0](cr.tensor(x)).relu().flatten(1)
        expected = model[4](h).data
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert model.training  # restored
    nested = features(model, ArrayDataset(x, np.zeros(7, dtype=np.int64)), "5.0")
    np.testing.assert_allclose(nested, np.maximum(expected, 0), rtol=1e-6)
    loader = DataLoader(ArrayDataset(x, np.zeros(7, dtype=np.int64)), batch_size=4)
    shaped = features(model, loader, "1", flatten=False)
    assert shaped.shape == (7, 2, 4, 4) and (shaped >= 0).all()


def test_unknown_layer_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"no layer '9'.*'0', '1'"):
        features(_model(), np.zeros((1, 1, 6, 6), np.float32), "9")


def test_transfer_weights_copies_all_but_a_fresh_head():
    source = _model()
    cr.manual_seed(1)
    target = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(),
                           nn.Linear(2 * 4 * 4, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 7)))
    fresh_head = target[5][1].weight.data.copy()
    copied = transfer_weights(source, target)
    assert copied == ["0.weight", "0.bias", "4.weight", "4.bias"]
    np.testing.assert_array_equal(target[0].weight.data, source[0].weight.data)
    np.testing.assert_array_equal(target[5][1].weight.data, fresh_head)
    assert head_name(target) == "5.1"


def test_transfer_weights_mismatch_is_named_and_changes_nothing():
    source, target = _model(), nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Linear(3, 2))
    before = target[0].weight.data.copy()
    with pytest.raises(ValueError, match=r"'0.weight': shape \(2, 1, 3, 3\) in the source, "
                                         r"\(3, 1, 3, 3\) in the target"):
        transfer_weights(source, target)
    np.testing.assert_array_equal(target[0].weight.data, before)


def test_transfer_config_section_round_trips():
    import tomllib

    from chainrule.config import to_toml, validate

    raw = tomllib.loads('[model]\nlayers = [{type = "linear", out_features = 2}]\n'
                        '[transfer]\nfrom = "runs/source"\nfreeze_upto = "3"\n')
    cfg = validate(raw)
    assert cfg.transfer.from_ == "runs/source" and cfg.transfer.reset_head
    assert validate(tomllib.loads(to_toml(cfg))).transfer == cfg.transfer
    raw["transfer"]["frm"] = "x"
    with pytest.raises(Exception, match="frm"):
        validate(raw)
