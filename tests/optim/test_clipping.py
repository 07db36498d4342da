"""Clipping against torch.nn.utils, and skipping non-finite steps."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from tests.optim.helpers import deviation, run_cr, run_torch

TOL = 2e-5


@pytest.mark.parametrize("max_norm", [0.05, 100.0])
def test_clip_grad_norm_matches_torch(torch, max_norm):
    ours = run_cr(lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
                  before_step=lambda ps: optim.clip_grad_norm_(ps, max_norm))
    theirs = run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
                       before_step=lambda ps: torch.nn.utils.clip_grad_norm_(ps, max_norm))
    print(f"clip_grad_norm_({max_norm}) + SGD: worst deviation {deviation(ours, theirs):.2e}")
    assert deviation(ours, theirs) < TOL


def test_clip_grad_value_matches_torch(torch):
    ours = run_cr(lambda p: optim.Adam(p, lr=1e-2),
                  before_step=lambda ps: optim.clip_grad_value_(ps, 0.01))
    theirs = run_torch(lambda p: torch.optim.Adam(p, lr=1e-2),
                       before_step=lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.01))
    assert deviation(ours, theirs) < TOL


def test_clip_transforms_match_torch(torch):
    tx = optim.chain(optim.clip_by_value(0.01), optim.scale_by_adam())
    ours = run_cr(lambda p: optim.TransformOptimizer(p, tx, lr=1e-2))
    theirs = run_torch(lambda p: torch.optim.Adam(p, lr=1e-2),
                       before_step=lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.01))
    assert deviation(ours, theirs) < TOL


@pytest.mark.parametrize("norm_type", [1.0, 2.0, float("inf")])
def test_clip_grad_norm_returns_torchs_total_norm(torch, norm_type):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s).astype(np.float32) for s in [(3, 4), (5,), (2, 2)]]
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for o, t, a in zip(ours, theirs, arrays, strict=True):
        o.grad, t.grad = a.copy(), torch.tensor(a)
    total = optim.clip_grad_norm_(ours, 0.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=norm_type)
    assert total == pytest.approx(float(expected), rel=1e-6)
    for o, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_errors():
    p = cr.zeros(3, requires_grad=True)
    p.grad = np.array([np.inf, 0, 0], np.float32)
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="parameter 0 is a ndarray"):
        optim.clip_grad_norm_([np.zeros(3)], 1.0)
    with pytest.raises(ValueError, match="max_norm must be positive, got 0"):
        optim.clip_by_global_norm(0)
    with pytest.raises(ValueError, match="max_abs must be positive, got -1"):
        optim.clip_by_value(-1)


def test_skip_not_finite_skips_the_whole_step():
    tx = optim.skip_not_finite(optim.chain(optim.scale_by_adam(), optim.scale(-0.1)))
    rng = np.random.default_rng(0)
    good = [rng.normal(size=4).astype(np.float32) for _ in range(6)]
    bad = np.array([1.0, np.nan, 0.0, np.inf], np.float32)

    def run(gradients):
        x = np.ones(4, np.float32)
        state = tx.init(x)
        for g in gradients:
            u, state = tx.update(g.copy(), state, x)
            x += u
        return x, state

    clean_x, clean_state = run(good)
    x, state = run(good[:3] + [bad, bad] + good[3:])
    np.testing.assert_array_equal(x, clean_x)  # the bad steps changed nothing at all
    assert state.skipped == 2 and clean_state.skipped == 0
    assert state.inner[0].count == clean_state.inner[0].count == 6
