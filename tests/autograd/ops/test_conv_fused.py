"""relu(conv2d) and maxpool(relu(conv2d)) as one op: gradcheck, torch, the unfused chain, jvp."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule.autograd.ops import conv
from tests.autograd.check import check_jvp, check_op, tf

GEOMETRIES = [{}, {"padding": 1, "groups": 2}, {"stride": 2, "dilation": 2}, {"padding": "same"}]
# (5, 4, 14, 13): the numba kernels pool block by block; (2, 4, 9, 8): the NumPy paths
SHAPES = [(5, 4, 14, 13), (2, 4, 9, 8)]


def _torch(kw, pool):
    def fn(x, w, b):
        y = tf.relu(tf.conv2d(x, w, b, **kw))
        return tf.max_pool2d(y, 2) if pool else y
    return fn


@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kw", GEOMETRIES)
def test_against_gradcheck_and_torch(monkeypatch, kw, shape, pool):
    for block in (1, 200_000):  # one image per block, then a few with a shorter last one
        monkeypatch.setattr(conv, "BLOCK_BYTES", block)
        check_op([shape, (6, shape[1] // kw.get("groups", 1), 3, 3), (6,)], _torch(kw, pool),
                 lambda x, w, b: F.conv2d_relu(x, w, b, **kw, pool=pool))


@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_same_bits_as_the_chain_of_ops(pool, shape):
    """Values and every gradient equal the unfused chain's exactly, ties and NaN included."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x[0, :, :4, :4] = 0.0  # flat windows: ReLU zeros and pooling ties
    x[-1, 0, 5, 5] = np.nan
    w = rng.standard_normal((6, shape[1], 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    results = []
    for fused in (True, False):
        xs = [cr.tensor(a, requires_grad=True) for a in (x, w, b)]
        if fused:
            y = F.conv2d_relu(*xs, pool=pool)
        else:
            y = F.relu(F.conv2d(*xs))
            y = F.max_pool2d(y, 2) if pool else y
        g = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)  # same twice
        g.flat[::7] = np.nan  # a NaN gradient stays out where the ReLU is off
        y.backward(g)
        results.append([y.data] + [t.grad for t in xs])
    for ours, chain, name in zip(*results, ["output", "dx", "dw", "db"], strict=True):
        np.testing.assert_array_equal(ours, chain, err_msg=name)


@pytest.mark.parametrize("pool", [False, True])
def test_jvp(pool):
    check_jvp([(2, 3, 8, 7), (4, 3, 3, 3), (4,)],
              lambda x, w, b: F.conv2d_relu(x, w, b, padding=1, pool=pool))


def test_pooling_needs_a_2x2_output():
    x, w = cr.ones(1, 1, 3, 5), cr.ones(1, 1, 3, 3)
    with pytest.raises(ValueError, match=r"max_pool2d: kernel \(2, 2\) is larger"):
        F.conv2d_relu(x, w, pool=True)
