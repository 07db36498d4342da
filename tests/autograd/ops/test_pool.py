"""Pooling and resampling against a float64 gradcheck and torch, on hypothesis shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import check_op, tf

POOL = settings(max_examples=12, deadline=None, derandomize=True, database=None)


@st.composite
def pool_geometry(draw: st.DrawFn, dilate: bool = True) -> dict:
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilate else (1, 1)
    g = {"shape": (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 7)),
                   draw(st.integers(1, 7))),
         "kernel": k, "stride": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
         "padding": tuple(draw(st.integers(0, ki // 2)) for ki in k),
         "dilation": d, "seed": draw(st.integers(0, 99))}
    for size, ki, di, p in zip(g["shape"][2:], k, d, g["padding"], strict=True):
        assume(size + 2 * p >= di * (ki - 1) + 1)
    return g


@POOL
@given(g=pool_geometry())
def test_max_pool2d(g):
    kw = {"kernel_size": g["kernel"], "stride": g["stride"], "padding": g["padding"],
          "dilation": g["dilation"]}
    check_op([g["shape"]], lambda x: tf.max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw),
             seed=g["seed"])


@POOL
@given(g=pool_geometry(dilate=False), include=st.booleans(),
       divisor=st.sampled_from([None, 3]))
def test_avg_pool2d(g, include, divisor):
    kw = {"kernel_size": g["kernel"], "stride": g["stride"], "padding": g["padding"],
          "count_include_pad": include, "divisor_override": divisor}
    check_op([g["shape"]], lambda x: tf.avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw),
             seed=g["seed"])


def test_max_pool2d_gradient_goes_to_the_first_maximum_like_torch():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 3.0], [0.0, 0.0, 5.0, 5.0],
                    [1.0, 1.0, 5.0, 5.0]]]])
    check_op([], lambda a: tf.max_pool2d(a, 2), lambda a: F.max_pool2d(a, 2), values=[x],
             gradcheck=False)
    check_op([], lambda a: tf.max_pool2d(a, 3, stride=1, padding=1),
             lambda a: F.max_pool2d(a, 3, stride=1, padding=1), values=[x], gradcheck=False)


def test_max_pool2d_propagates_nan():
    x = cr.tensor([[[[1.0, np.nan], [2.0, 0.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert np.isnan(y.item())
    y.backward(np.ones((1, 1, 1, 1), dtype=np.float32))
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


@pytest.mark.parametrize("size,out", [((6, 6), (3, 2)), ((7, 5), (3, 4)), ((5, 5), (1, 1)),
                                      ((3, 4), (5, 6)), ((5, 7), (None, 3)), ((4, 4), 2)])
def test_adaptive_avg_pool2d(size, out):
    check_op([(2, 3) + size], lambda x: tf.adaptive_avg_pool2d(x, out),
             lambda x: F.adaptive_avg_pool2d(x, out))


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2, "mode": "nearest"},
    {"size": (5, 7), "mode": "nearest"},
    {"size": (2, 3), "mode": "nearest"},
    {"scale_factor": 2, "mode": "bilinear"},
    {"scale_factor": (1.5, 0.5), "mode": "bilinear"},
    {"size": (7, 4), "mode": "bilinear", "align_corners": True},
    {"size": (1, 5), "mode": "bilinear", "align_corners": True},
    {"size": (2, 9), "mode": "bilinear", "align_corners": False},
])
def test_interpolate(kw):
    check_op([(2, 2, 4, 5)], lambda x: tf.interpolate(x, **kw), lambda x: F.interpolate(x, **kw))


def test_dropout2d_drops_whole_channels_and_scales_the_rest():
    x = cr.ones(8, 16, 3, 3)
    y = F.dropout2d(x, 0.5, generator=np.random.default_rng(0)).data
    per_channel = y.reshape(8, 16, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # a channel is all or none
    assert 0.25 < (per_channel[..., 0] == 0).mean() < 0.75
    assert F.dropout2d(x, 0.5, training=False) is x
    grad_check = cr.tensor(np.ones((2, 3, 2, 2)), requires_grad=True)
    out = F.dropout2d(grad_check, 0.5, generator=np.random.default_rng(1))
    out.sum().backward()
    np.testing.assert_array_equal(grad_check.grad, out.data)


@pytest.mark.parametrize("call,message", [
    (lambda: F.max_pool2d(cr.ones(1, 1, 4, 4), 2, padding=2), r"at most half"),
    (lambda: F.max_pool2d(cr.ones(1, 1, 2, 2), 3), r"larger than the padded input"),
    (lambda: F.max_pool2d(cr.ones(4, 4), 2), r"4-D input.*\(4, 4\)"),
    (lambda: F.avg_pool2d(cr.ones(1, 1, 4, 4), 2, ceil_mode=True), r"ceil_mode"),
    (lambda: F.interpolate(cr.ones(1, 1, 4, 4), size=3, scale_factor=2), r"exactly one"),
    (lambda: F.interpolate(cr.ones(1, 1, 4, 4), size=3, mode="bicubic"), r"'bicubic'"),
    (lambda: F.dropout2d(cr.ones(1, 1, 4, 4), 1.5), r"\[0, 1\], got 1.5"),
])
def test_pool_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pool_jvp_agrees_with_reverse_mode():
    rng = np.random.default_rng(3)
    fns = [lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
           lambda x: F.avg_pool2d(x, 2, padding=1, count_include_pad=False),
           lambda x: F.interpolate(x, scale_factor=2, mode="bilinear")]
    for fn in fns:
        x = cr.tensor(rng.standard_normal((2, 3, 5, 6)), dtype=np.float64, requires_grad=True)
        v = rng.standard_normal(x.shape)
        out, jv = cr.jvp(fn, [x], [v])
        u = rng.standard_normal(out.shape)
        (g,) = cr.grad(fn(x), [x], grad_outputs=[u])
        np.testing.assert_allclose(np.sum(u * jv.data), np.sum(g.data * v), rtol=1e-10)
