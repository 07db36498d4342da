"""Winograd's F(2x2, 3x3): its transforms against their definition and as adjoints, and the
3x3 convolutions that run through it against a float64 gradcheck, torch and im2col."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from chainrule.autograd.ops import conv, conv_kernels, parallel, winograd
from tests.autograd.check import check_jvp, check_op, tf

# the fixture only patches the module and counts calls: it may outlive one example
WINO = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# the transforms' matrices as the paper writes them (G is the module's)
BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)
AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=float)


@pytest.fixture
def tiles_always(monkeypatch):
    """Every 3x3 unit-step conv runs as F(2x2, 3x3), however few channels and elements; the
    calls are counted so that a test knows the path ran."""
    monkeypatch.setattr(winograd, "MIN_CHANNELS", 1)
    monkeypatch.setattr(winograd, "MIN_WORK", 0)
    monkeypatch.setattr(conv_kernels, "MIN_SIZE", 1)
    calls = {"forward": 0, "backward": 0}
    for name in calls:
        real = getattr(winograd, f"{name}_block")

        def counted(*args, real=real, name=name):
            calls[name] += 1
            return real(*args)
        monkeypatch.setattr(winograd, f"{name}_block", counted)
    return calls


def _tiles_of(a: np.ndarray, th: int, tw: int) -> np.ndarray:
    """(C, n, th, tw, 4, 4): the 4x4 tiles at (2 ty, 2 tx) of a (C, n, H, W), zero past it."""
    c, n, h, w = a.shape
    big = np.zeros((c, n, 2 * th + 2, 2 * tw + 2))
    big[:, :, :h, :w] = a
    view = np.lib.stride_tricks.sliding_window_view(big, (4, 4), axis=(2, 3))
    return view[:, :, ::2, ::2][:, :, :th, :tw]


@pytest.mark.parametrize("hp,wp", [(6, 6), (7, 9), (3, 4)])
def test_input_tiles_are_bt_d_b(hp, wp):
    rng = np.random.default_rng(0)
    xp = rng.standard_normal((3, 4, hp, wp))
    th, tw = winograd.tiles(hp - 2, wp - 2)
    v = np.empty((16, 3, 2 * th * tw))
    winograd.input_tiles(xp, 1, th, tw, v)  # images 1 and 2
    d = _tiles_of(xp[:, 1:3], th, tw)
    expected = np.einsum("ai,cnyxij,bj->abcnyx", BT, d, BT).reshape(16, 3, -1)
    np.testing.assert_allclose(v, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ho,wo", [(4, 6), (5, 3), (1, 1)])
def test_output_tiles_are_at_m_a_plus_bias(ho, wo):
    rng = np.random.default_rng(1)
    th, tw = winograd.tiles(ho, wo)
    m, bias = rng.standard_normal((16, 5, 2 * th * tw)), rng.standard_normal(5)
    out = np.empty((5, 2, ho, wo))
    winograd.output_tiles(m, bias, out)
    y = np.einsum("ai,ijoNyx,bj->oNyaxb", AT, m.reshape(4, 4, 5, 2, th, tw), AT)
    expected = y.reshape(5, 2, 2 * th, 2 * tw)[:, :, :ho, :wo] + bias[:, None, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", [((0, 0), (0, 0)), ((1, 2), (2, 0))])
@pytest.mark.parametrize("ho,wo", [(4, 6), (5, 3)])
def test_gradient_transforms_are_adjoints(padding, ho, wo):
    """<input_tiles(xp), v> = <x, input_gradient_tiles(v)> over the unpadded x inside xp,
    and <output_tiles(m), g> = <m, output_gradient_tiles(g)>."""
    rng = np.random.default_rng(2)
    (pt, pb), (pl, pr) = padding
    h, w = ho + 2 - pt - pb, wo + 2 - pl - pr
    th, tw = winograd.tiles(ho, wo)
    x = rng.standard_normal((3, 2, h, w))
    xp = np.zeros((3, 2, ho + 2, wo + 2))
    xp[:, :, pt:pt + h, pl:pl + w] = x
    v, dv = np.empty((16, 3, 2 * th * tw)), rng.standard_normal((16, 3, 2 * th * tw))
    winograd.input_tiles(xp, 0, th, tw, v)
    dx = np.full((3, 4, h, w), np.nan)
    winograd.input_gradient_tiles(dv, th, tw, pt, pl, 1, dx)  # images 1, 2 of 4
    assert np.isnan(dx[:, [0, 3]]).all()  # other images untouched
    np.testing.assert_allclose(np.sum(v * dv), np.sum(x * dx[:, 1:3]), rtol=1e-12)

    m, g = rng.standard_normal((16, 3, 2 * th * tw)), rng.standard_normal((3, 2, ho, wo))
    y, dm = np.empty((3, 2, ho, wo)), np.empty_like(m)
    winograd.output_tiles(m, np.zeros(3), y)
    winograd.output_gradient_tiles(g, dm)
    np.testing.assert_allclose(np.sum(y * g), np.sum(m * dm), rtol=1e-12)


def test_filter_transforms_are_g_w_gt_and_adjoint():
    rng = np.random.default_rng(3)
    w, du = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal((16, 4, 3))
    u = winograd.filter_tiles(w)
    expected = np.stack([winograd.G @ w[o, c] @ winograd.G.T for o in range(4)
                         for c in range(3)]).reshape(4, 3, 16).transpose(2, 0, 1)
    np.testing.assert_allclose(u, expected, rtol=1e-12)
    np.testing.assert_allclose(np.sum(u * du), np.sum(w * winograd.filter_gradient(du)),
                               rtol=1e-12)


@st.composite
def geometry(draw: st.DrawFn) -> dict:
    return {"n": draw(st.integers(1, 3)), "cin": draw(st.integers(1, 4)),
            "cout": draw(st.integers(1, 4)),
            "size": (draw(st.integers(1, 9)), draw(st.integers(1, 9))),
            "padding": (draw(st.integers(0, 2)), draw(st.integers(0, 2))),
            "bias": draw(st.booleans()), "seed": draw(st.integers(0, 99))}


@WINO
@given(g=geometry())
def test_conv2d_through_tiles_against_gradcheck_and_torch(tiles_always, g):
    """Odd and even sizes, a 1x1 output, padding, with and without bias."""
    if min(s + 2 * p for s, p in zip(g["size"], g["padding"], strict=True)) < 3:
        return  # no 3x3 window fits
    shapes = [(g["n"], g["cin"]) + g["size"], (g["cout"], g["cin"], 3, 3)]
    shapes += [(g["cout"],)] if g["bias"] else []
    before = tiles_always["backward"]
    check_op(shapes, lambda x, w, b=None: tf.conv2d(x, w, b, padding=g["padding"]),
             lambda x, w, b=None: F.conv2d(x, w, b, padding=g["padding"]), seed=g["seed"])
    assert tiles_always["backward"] > before


@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("padding", [0, "same"])
def test_blocks_threads_and_fusion_through_tiles(tiles_always, monkeypatch, pool, padding):
    """Blocks of one image shared over three threads, fused with ReLU and pooling."""
    monkeypatch.setattr(parallel, "width", lambda: 3)
    monkeypatch.setattr(conv, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(conv, "BLOCK_BYTES", 1)

    def torch_fn(x, w, b):
        y = tf.relu(tf.conv2d(x, w, b, padding=padding))
        return tf.max_pool2d(y, 2) if pool else y
    check_op([(5, 3, 9, 8), (4, 3, 3, 3), (4,)], torch_fn,
             lambda x, w, b: F.conv2d_relu(x, w, b, padding=padding, pool=pool))
    check_jvp([(2, 3, 6, 7), (4, 3, 3, 3), (4,)],
              lambda x, w, b: F.conv2d_relu(x, w, b, padding=padding, pool=pool))
    assert tiles_always["forward"] and tiles_always["backward"]


def test_the_mnist_convolution_agrees_with_im2col_in_float32(monkeypatch):
    """The MNIST CNN's 32 -> 64 conv at batch 8 in float32: the tiles and im2col are both
    within float32 rounding of the float64 result, by default through the tiles."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 32, 26, 26)).astype(np.float32)
    w = (rng.standard_normal((64, 32, 3, 3)) / 17).astype(np.float32)
    g = rng.standard_normal((8, 64, 24, 24)).astype(np.float32)
    assert winograd.applies(x, w, (1, 1), (1, 1), 1, (24, 24))

    def run(dtype):
        xs = [cr.tensor(a.astype(dtype), requires_grad=True) for a in (x, w)]
        y = F.conv2d(*xs)
        y.backward(g.astype(dtype))
        return [y.data] + [t.grad for t in xs]
    exact, tiles = run(np.float64), run(np.float32)
    monkeypatch.setattr(winograd, "MIN_CHANNELS", 2**62)
    columns = run(np.float32)
    for name, e, a, b in zip(["y", "dx", "dw"], exact, tiles, columns, strict=True):
        for path, result in (("tiles", a), ("im2col", b)):
            assert np.abs(result - e).max() < 3e-5 * np.abs(e).max(), (name, path)


@pytest.mark.parametrize("change,expected", [
    ({}, True), ({"stride": (2, 2)}, False), ({"dilation": (2, 1)}, False),
    ({"groups": 2}, False), ({"w": (16, 8, 5, 5)}, False), ({"w": (4, 16, 3, 3)}, False),
    ({"w": (96, 96, 3, 3), "x": np.ones((4, 96, 10, 10), dtype=np.float32), "out": (8, 8)},
     True),
    ({"w": (128, 96, 3, 3), "x": np.ones((4, 96, 10, 10), dtype=np.float32)}, False),
    ({"out": (2, 2)}, False),
    ({"x": np.ones((4, 16, 10, 10), dtype=np.int64)}, False),
    ({"x": np.ones((1, 16, 3, 3), dtype=np.float32), "out": (8, 8)}, False)])
def test_which_convolutions_take_the_tiles(change, expected):
    x = change.get("x", np.ones((32, 16, 18, 18), dtype=np.float32))
    w = np.ones(change.get("w", (16, 16, 3, 3)), dtype=np.float32)
    assert winograd.applies(x, w, change.get("stride", (1, 1)), change.get("dilation", (1, 1)),
                            change.get("groups", 1), change.get("out", (16, 16))) is expected
