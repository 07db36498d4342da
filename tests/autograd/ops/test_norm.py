"""Batch normalisation as an op: F.batch_norm against gradcheck and torch, 2-D to 4-D inputs."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import check_op, tf, torch

SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 5)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_op(shape, training):
    stats = np.random.default_rng(1)
    mean, var = stats.standard_normal(3), stats.uniform(0.5, 2, 3)

    def ours(x, w, b):
        return F.batch_norm(x, mean.copy(), var.copy(), w, b, training=training)

    def theirs(x, w, b):
        running = (torch.tensor(mean, dtype=torch.float32), torch.tensor(var, dtype=torch.float32))
        return tf.batch_norm(x, *running, w, b, training=training)

    check_op([shape, (3,), (3,)], theirs, ours, low=[-2.0, 0.5, -1.0], high=[2.0, 2.0, 1.0])


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_batch_norm_updates_running_stats_like_torch(shape):
    if torch is None:
        pytest.skip("torch is not installed")
    rng = np.random.default_rng(0)
    ours = [np.zeros(3, np.float32), np.ones(3, np.float32)]
    theirs = [torch.zeros(3), torch.ones(3)]
    for step in range(3):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        out = F.batch_norm(cr.tensor(x), *ours, training=True, momentum=0.3)
        ref = tf.batch_norm(torch.from_numpy(x), *theirs, training=True, momentum=0.3)
        np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-4, atol=1e-5)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_without_running_stats_uses_the_batch():
    x = cr.tensor(np.random.default_rng(0).standard_normal((64, 2)) * 3 + 5)
    y = F.batch_norm(x, None, None).data
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=0), 1, atol=1e-3)


def test_batch_norm_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"input needs a batch and a channel axis.*\(3,\)"):
        F.batch_norm(cr.ones(3), None, None)
    with pytest.raises(ValueError, match=r"running_mean of shape \(2,\) does not fit 3 channels"):
        F.batch_norm(cr.ones(4, 3), np.zeros(2), np.ones(3))
    running = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(cr.ones(1, 3), running, np.ones(3, np.float32), training=True)
    assert not running.any()


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_jvp_agrees_with_reverse_mode(affine):
    rng = np.random.default_rng(0)
    shapes = [(5, 3, 2)] + ([(3,), (3,)] if affine else [])
    xs = [cr.tensor(rng.standard_normal(s), dtype=np.float64, requires_grad=True) for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    fn = (lambda x, w, b: F.batch_norm(x, None, None, w, b)) if affine else \
        (lambda x: F.batch_norm(x, None, None))
    out, jv = cr.jvp(fn, xs, vs)
    u = rng.standard_normal(out.shape)
    fn(*xs).backward(u)
    lhs = float((u * jv.data).sum())
    rhs = sum(float((x.grad * v).sum()) for x, v in zip(xs, vs, strict=True))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9)
