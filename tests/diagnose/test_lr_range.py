import math

import numpy as np
import pytest

from chainrule.diagnose import check_learning_rate, lr_range_test
from tests.diagnose import setups


def test_range_test_curve_on_a_healthy_model():
    curve = lr_range_test(setups.subject(), steps=100)
    lrs = np.array(curve.lrs)
    # exponential schedule from 1e-7: constant ratio between steps
    assert lrs[0] == pytest.approx(1e-7)
    ratios = lrs[1:] / lrs[:-1]
    np.testing.assert_allclose(ratios, (10.0 / 1e-7) ** (1 / 99), rtol=1e-9)
    assert curve.diverged_at is not None  # Adam at lr ~10 blows up
    assert 1e-4 < curve.suggested < curve.lr_min < curve.diverged_at
    smooth = np.array(curve.smoothed)
    best = int(np.argmin(smooth))
    assert smooth[best] < 0.9 * smooth[5]


def test_smoothing_is_a_bias_corrected_moving_average():
    curve = lr_range_test(setups.subject(), steps=20, beta=0.9)
    avg, expect = 0.0, []
    for i, loss in enumerate(curve.losses):
        avg = 0.9 * avg + 0.1 * loss
        expect.append(avg / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(curve.smoothed, expect, rtol=1e-12)
    assert curve.smoothed[0] == pytest.approx(curve.losses[0])


def test_healthy_learning_rate_passes():
    r = check_learning_rate(setups.good())
    assert r.verdict == "pass", r.advice
    assert r.detail["lr"] == 2e-3


def test_huge_learning_rate_fails_as_too_high():
    r = check_learning_rate(setups.huge_lr())
    assert r.verdict == "fail"
    assert "too high" in r.advice and "NaN/explosion" in r.advice
    assert r.detail["diverged_at"] <= 1e3


def test_tiny_learning_rate_fails_as_too_low():
    r = check_learning_rate(setups.subject(lr=1e-7))
    assert r.verdict == "fail"
    assert "not going down" in r.advice and "too low" in r.advice


def test_zero_init_loss_never_goes_down():
    r = check_learning_rate(setups.zero_init())
    assert r.verdict == "fail"
    assert "not going down at any learning rate" in r.advice


def test_wrong_sign_fails():
    r = check_learning_rate(setups.wrong_sign())
    assert r.verdict == "fail" and "sign" in r.advice


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="start < end"):
        lr_range_test(setups.good(), start=1.0, end=0.1)
    assert math.isfinite(lr_range_test(setups.good(), steps=8).lrs[-1])
