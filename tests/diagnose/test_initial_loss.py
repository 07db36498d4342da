import math

import numpy as np
import pytest

from chainrule import functional as F
from chainrule import nn, optim
from chainrule.diagnose import Subject, check_initial_loss
from chainrule.nn import regularize as reg
from tests.diagnose import setups


def test_healthy_model_starts_near_log_c():
    r = check_initial_loss(setups.good())
    assert r.verdict == "pass"
    assert r.measured["log C"] == pytest.approx(math.log(10))
    assert abs(r.measured["loss"] - math.log(10)) < 1.0


def test_zero_logits_give_exactly_log_c():
    # an all-zero network outputs zero logits: softmax is uniform, loss = log 10 exactly
    r = check_initial_loss(setups.zero_init())
    assert r.verdict == "pass"
    assert r.measured["loss"] == pytest.approx(math.log(10), rel=1e-6)


def test_wrong_loss_sign_fails():
    r = check_initial_loss(setups.wrong_sign())
    assert r.verdict == "fail" and r.measured["loss"] < 0
    assert "sign" in r.advice


def test_saturating_init_fails_as_overconfident():
    r = check_initial_loss(setups.saturating_init())
    assert r.verdict == "fail"
    assert r.measured["loss"] > 3 * math.log(10)
    assert "too high" in r.advice and "init" in r.advice


def test_regularisation_raises_the_loss_by_its_penalty():
    model = setups.mlp()
    l2 = 0.01
    s = setups.subject(model, regularizers=[reg.L2(l2)])
    r = check_initial_loss(s)
    weights = [model[0].weight.data, model[2].weight.data]
    penalty = 0.5 * l2 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in weights)
    assert r.measured["with regularisation"] == pytest.approx(r.measured["loss"] + penalty,
                                                              rel=1e-4)
    assert r.verdict == "pass"


def test_regularisation_that_adds_nothing_warns():
    s = setups.subject(regularizers=[reg.L2(0.0)])
    r = check_initial_loss(s)
    assert r.verdict == "warn" and "regularisation adds nothing" in r.advice


def test_binary_and_regression_references():
    x, y = setups.digits()
    binary = nn.Sequential(nn.Linear(64, 1))
    nn.init.zeros_(binary[0].weight)
    nn.init.zeros_(binary[0].bias)
    def bce(out, target):
        labels = target.data.astype(np.float32)
        return F.binary_cross_entropy_with_logits(out.reshape(labels.shape), labels)

    r = check_initial_loss(Subject(binary, bce, x, (y > 4).astype(np.int64)))
    assert r.verdict == "pass" and r.measured["loss"] == pytest.approx(math.log(2), rel=1e-5)
    assert r.measured["log 2"] == pytest.approx(math.log(2))
    target = np.sin(x[:, :1]).astype(np.float32)
    reg_model = nn.Sequential(nn.Linear(64, 1))
    r = check_initial_loss(Subject(reg_model, "mse", x, target, optim.SGD(
        reg_model.parameters(), lr=0.1)))
    assert "loss of predicting 0" in r.measured
    assert r.measured["loss of predicting 0"] == pytest.approx(
        float(np.mean(target[:512].astype(np.float64) ** 2)), rel=0.3)
