import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn
from chainrule.diagnose.statistics import (
    Recorder,
    activation_stats,
    collect,
    kind_of,
    spectra,
    update_ratio,
)
from tests.diagnose import setups


def test_dead_units_are_zero_for_every_sample():
    h = np.array([[0.0, 1.0, 0.0, 0.0],
                  [0.0, 0.0, 2.0, 0.0],
                  [0.0, 0.5, 0.0, 0.0]])
    a = activation_stats("r", "relu", h)
    assert a.dead_fraction == 0.5  # units 0 and 3
    assert a.saturated_fraction is None
    assert a.mean == pytest.approx(3.5 / 12) and a.std == pytest.approx(np.std(h))
    assert sum(a.hist_counts) == 12 and len(a.hist_edges) == 31


def test_saturation_thresholds_of_tanh_and_sigmoid():
    t = activation_stats("t", "tanh", np.array([[0.995, -0.999, 0.5, 0.0]]))
    assert t.saturated_fraction == 0.5 and t.dead_fraction is None
    s = activation_stats("s", "sigmoid", np.array([[0.005, 0.995, 0.5, 0.02]]))
    assert s.saturated_fraction == 0.5


def test_recorder_sees_each_layer_output_and_the_gradient_into_it():
    model = setups.mlp()
    x, y = setups.digits()
    xb = cr.tensor(x[:16])
    with Recorder(model) as rec:
        loss = F.cross_entropy(model(xb), y[:16])
        loss.backward()
    assert [name for name, _ in rec.order] == ["0", "1", "2"]
    assert [kind for _, kind in rec.order] == ["linear", "relu", "linear"]
    # independent forward pass by hand
    z = x[:16] @ model[0].weight.data.T + model[0].bias.data
    np.testing.assert_allclose(rec.outputs["0"], z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rec.outputs["1"], np.maximum(z, 0), rtol=1e-5, atol=1e-6)
    # gradient into the logits of a mean cross-entropy: (softmax - onehot) / N
    logits = rec.outputs["2"].astype(np.float64)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(16), y[:16]] -= 1
    np.testing.assert_allclose(rec.grads["2"], p / 16, rtol=1e-4, atol=1e-7)
    assert all(not m._forward_hooks for m in model.modules())  # removed on exit


def test_recorder_skips_dropout_flatten_identity_and_names_custom_modules():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Dropout(0.1), nn.Identity(),
                          nn.Sigmoid())
    with Recorder(model, grads=False) as rec:
        model(cr.tensor(np.ones((2, 2, 2))))
    assert rec.order == [("1", "linear"), ("4", "sigmoid")]
    assert kind_of(setups.Detached()) == "detached"


def test_collect_gives_parameter_and_activation_statistics():
    model = setups.mlp()
    x, y = setups.digits()
    stats = collect(model, cr.tensor(x[:64]), cr.tensor(y[:64]), F.cross_entropy)
    assert [a.name for a in stats.activations] == ["0", "1", "2"]
    assert stats.activations[1].dead_fraction is not None
    names = [p.name for p in stats.parameters]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    w = stats.parameters[0]
    assert w.norm == pytest.approx(float(np.linalg.norm(model[0].weight.data)))
    assert w.grad_norm == pytest.approx(float(np.linalg.norm(model[0].weight.grad)))
    assert stats.loss == pytest.approx(float(F.cross_entropy(model(cr.tensor(x[:64])),
                                                              y[:64]).data))


def test_update_ratio():
    before = np.array([3.0, 4.0])
    assert update_ratio(before, before + np.array([0.003, 0.004])) == pytest.approx(1e-3)
    assert update_ratio(np.zeros(2), np.zeros(2)) == 0.0
    assert update_ratio(np.zeros(2), np.ones(2)) == float("inf")


def test_spectra_of_known_matrices():
    model = nn.Sequential(nn.Linear(3, 3, bias=False), nn.Linear(3, 2, bias=False))
    model[0].weight.data[...] = np.diag([3.0, 2.0, 0.5])
    model[1].weight.data[...] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    found = spectra(model)
    np.testing.assert_allclose(found[0].singular_values, [3.0, 2.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(found[0].eigenvalues, [9.0, 4.0, 0.25], rtol=1e-6)
    assert found[0].gain == pytest.approx(np.sqrt((9 + 4 + 0.25) / 3))
    assert found[1].gain == pytest.approx(1.0) and found[1].shape == (2, 3)
    assert spectra(model, top=1)[0].singular_values == pytest.approx([3.0])
