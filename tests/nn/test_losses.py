import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

REDUCTIONS = ["mean", "sum", "none"]


def _check(ours, theirs, x, target, target_torch=None, atol=1e-5):
    xo = cr.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    lo = ours(xo, target)
    lt = theirs(xt, torch.tensor(target) if target_torch is None else target_torch)
    np.testing.assert_allclose(lo.data, lt.detach().numpy(), rtol=1e-5, atol=atol)
    g = np.random.default_rng(0).standard_normal(lo.shape).astype(np.float32)
    lo.backward(g)
    lt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=1e-4, atol=atol)


@pytest.fixture
def rng():
    return np.random.default_rng(1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction, rng):
    x = rng.standard_normal((6, 3)).astype(np.float32)
    y = rng.standard_normal((6, 3)).astype(np.float32)
    _check(nn.MSELoss(reduction), tnn.MSELoss(reduction=reduction), x, y)
    _check(nn.L1Loss(reduction), tnn.L1Loss(reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses(reduction, rng):
    logits = rng.standard_normal((8, 2)).astype(np.float32) * 3
    y = (rng.random((8, 2)) > 0.5).astype(np.float32)
    _check(nn.BCEWithLogitsLoss(reduction), tnn.BCEWithLogitsLoss(reduction=reduction),
           logits, y)
    probs = 1 / (1 + np.exp(-logits))
    _check(nn.BCELoss(reduction), tnn.BCELoss(reduction=reduction), probs, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy(reduction, smoothing, weighted, rng):
    logits = rng.standard_normal((7, 5)).astype(np.float32)
    y = rng.integers(0, 5, 7)
    y[2] = -100  # ignored
    w = rng.uniform(0.5, 2, 5).astype(np.float32) if weighted else None
    _check(nn.CrossEntropyLoss(w, reduction=reduction, label_smoothing=smoothing),
           tnn.CrossEntropyLoss(None if w is None else torch.tensor(w), reduction=reduction,
                                label_smoothing=smoothing), logits, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_with_a_threshold(reduction, rng):
    x = (rng.standard_normal((6, 3)) * 2).astype(np.float32)
    y = rng.standard_normal((6, 3)).astype(np.float32)
    _check(nn.HuberLoss(reduction, delta=0.7), tnn.HuberLoss(reduction=reduction, delta=0.7),
           x, y)
    _check(nn.SmoothL1Loss(reduction, beta=0.5),
           tnn.SmoothL1Loss(reduction=reduction, beta=0.5), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_loss(reduction, log_target, rng):
    logp = torch.log_softmax(torch.tensor(rng.standard_normal((6, 4))), 1).numpy()
    q = rng.dirichlet(np.ones(4), 6)
    q[0, 1] = 0  # a zero-probability target contributes 0
    target = np.log(q + 1e-3) if log_target else q
    _check(nn.KLDivLoss(reduction, log_target=log_target),
           tnn.KLDivLoss(reduction=reduction, log_target=log_target),
           logp.astype(np.float32), target.astype(np.float32))


def test_bce_with_logits_pos_weight(rng):
    logits = (rng.standard_normal((8, 3)) * 3).astype(np.float32)
    y = (rng.random((8, 3)) > 0.5).astype(np.float32)
    pw = np.array([0.5, 2.0, 3.0], np.float32)
    _check(nn.BCEWithLogitsLoss(pos_weight=pw), tnn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw)),
           logits, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction, rng):
    logp = torch.log_softmax(torch.tensor(rng.standard_normal((6, 4))), 1).numpy()
    logp = logp.astype(np.float32)
    y = rng.integers(0, 4, 6)
    y[0] = 3
    w = rng.uniform(0.5, 2, 4).astype(np.float32)
    _check(nn.NLLLoss(reduction=reduction, ignore_index=3),
           tnn.NLLLoss(reduction=reduction, ignore_index=3), logp, y)
    _check(nn.NLLLoss(w, reduction=reduction, ignore_index=3),
           tnn.NLLLoss(torch.tensor(w), reduction=reduction, ignore_index=3), logp, y)


def test_losses_validate_arguments():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss("average")
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\], got 2"):
        nn.CrossEntropyLoss(label_smoothing=2)
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == \
        "CrossEntropyLoss(label_smoothing=0.1)"
    assert repr(nn.MSELoss("sum")) == "MSELoss(reduction='sum')"
