import numpy as np

from chainrule import nn
from chainrule.autograd.function import Function
from chainrule.diagnose import check_gradients
from chainrule.nn import regularize as reg
from tests.diagnose import setups


class LeakyDouble(Function):
    """y = x for x > 0 else 0.1 x, with a backward that is wrong by a factor 2 on x > 0."""

    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.1 * x)

    def backward(self, grad):
        return (grad * np.where(self.positive, 2.0, 0.1),)


class BadActivation(nn.Module):
    def forward(self, x):
        return LeakyDouble.apply(x)


def test_healthy_model_passes_with_tiny_error():
    r = check_gradients(setups.good())
    assert r.verdict == "pass"
    assert r.measured["max relative error"] < 1e-5
    assert r.measured["entries"] >= 90
    assert set(r.detail["per_tensor"]) == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_penalties_and_dropout_are_covered():
    model = setups.mlp()
    model = nn.Sequential(model[0], model[1], nn.Dropout(0.5), model[2])
    r = check_gradients(setups.subject(model, regularizers=[reg.L2(0.1), reg.L1(0.01)]))
    assert r.verdict == "pass"


def test_detached_layer_fails_as_a_cut_graph():
    r = check_gradients(setups.detached())
    assert r.verdict == "fail"
    assert "hidden.weight" in r.advice and "cut" in r.advice
    assert r.detail["per_tensor"]["hidden.weight"] > 0.5
    assert r.detail["per_tensor"]["out.weight"] < 1e-4


def test_wrong_backward_rule_fails():
    model = setups.mlp()
    model = nn.Sequential(model[0], BadActivation(), model[2])
    r = check_gradients(setups.subject(model))
    assert r.verdict == "fail"
    assert "0.weight" in r.advice and "backward rule" in r.advice
    assert r.measured["max relative error"] > 0.1


def test_original_model_stays_float32():
    s = setups.good()
    check_gradients(s)
    assert all(p.dtype == np.float32 for p in s.model.parameters())
