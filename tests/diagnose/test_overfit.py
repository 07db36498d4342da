import numpy as np

from chainrule import nn, optim
from chainrule.diagnose import Subject, check_overfit
from tests.diagnose import setups


def test_healthy_model_memorises_twenty_samples():
    r = check_overfit(setups.good())
    assert r.verdict == "pass"
    assert r.measured["train accuracy"] == 1.0
    assert r.measured["steps"] < 200
    assert r.detail["loss"][-1] < r.detail["loss"][0]


def test_wrong_sign_fails_naming_the_sign():
    r = check_overfit(setups.wrong_sign())
    assert r.verdict == "fail" and "sign" in r.advice


def test_huge_learning_rate_explodes():
    r = check_overfit(setups.huge_lr())
    assert r.verdict == "fail"
    assert not np.isfinite(r.detail["loss"][-1])
    assert "too high" in r.advice


def test_zero_init_cannot_memorise():
    r = check_overfit(setups.zero_init(), max_steps=200)
    assert r.verdict == "fail" and r.measured["train accuracy"] < 0.9


def test_tiny_learning_rate_does_not_move():
    r = check_overfit(setups.subject(lr=1e-7), max_steps=100)
    assert r.verdict == "fail"
    assert "not going down" in r.advice and "too low" in r.advice


def test_dropout_and_weight_decay_are_switched_off():
    model = setups.mlp()
    model = nn.Sequential(model[0], model[1], nn.Dropout(0.9), model[2])
    x, y = setups.digits()
    s = Subject(model, "cross_entropy", x, y, optim.AdamW(model.parameters(), lr=2e-3,
                                                           weight_decay=0.5))
    assert check_overfit(s).verdict == "pass"


def test_regression_reaches_near_zero_loss():
    x = np.linspace(-3, 3, 64, dtype=np.float32)[:, None]
    y = np.sin(x).astype(np.float32)
    model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    r = check_overfit(Subject(model, "mse", x, y, optim.Adam(model.parameters(), lr=1e-2)),
                      max_steps=800)
    assert r.verdict == "pass"
    assert r.measured["final/initial loss"] <= 1e-2
