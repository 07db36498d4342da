"""Convolutions against a float64 gradcheck and torch: conv2d, conv1d, conv_transpose2d.

Shapes come from hypothesis: odd sizes, stride larger than the kernel, groups,
dilation, asymmetric 'same' padding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from chainrule.autograd.ops import conv, workspace
from chainrule.autograd.ops.conv import col2im, im2col
from tests.autograd.check import check_op, tf

CONV = settings(max_examples=12, deadline=None, derandomize=True, database=None)


@st.composite
def conv_geometry(draw: st.DrawFn, dims: int = 2) -> dict:
    groups = draw(st.integers(1, 2))
    g = {"n": draw(st.integers(1, 2)), "cin": groups * draw(st.integers(1, 2)),
         "cout": groups * draw(st.integers(1, 2)), "groups": groups,
         "k": tuple(draw(st.integers(1, 3)) for _ in range(dims)),
         "stride": tuple(draw(st.integers(1, 3)) for _ in range(dims)),
         "dilation": tuple(draw(st.integers(1, 2)) for _ in range(dims)),
         "padding": tuple(draw(st.integers(0, 2)) for _ in range(dims)),
         "size": tuple(draw(st.integers(1, 7)) for _ in range(dims)),
         "bias": draw(st.booleans()), "seed": draw(st.integers(0, 99))}
    for s, k, d, p in zip(g["size"], g["k"], g["dilation"], g["padding"], strict=True):
        assume(s + 2 * p >= d * (k - 1) + 1)
    return g


def _conv_inputs(g: dict, transposed: bool = False) -> list[tuple[int, ...]]:
    w = ((g["cin"], g["cout"] // g["groups"]) if transposed else
         (g["cout"], g["cin"] // g["groups"])) + g["k"]
    shapes = [(g["n"], g["cin"]) + g["size"], w]
    return shapes + ([(g["cout"],)] if g["bias"] else [])


@CONV
@given(g=conv_geometry())
def test_conv2d(g):
    kw = {"stride": g["stride"], "padding": g["padding"], "dilation": g["dilation"],
          "groups": g["groups"]}
    check_op(_conv_inputs(g), lambda x, w, b=None: tf.conv2d(x, w, b, **kw),
             lambda x, w, b=None: F.conv2d(x, w, b, **kw), seed=g["seed"])


@pytest.mark.parametrize("kw", [{}, {"padding": 1, "groups": 2}, {"stride": 2, "dilation": 2},
                                {"padding": "same"}])
@pytest.mark.parametrize("shape", [(5, 8, 14, 13), (3, 4, 6, 5)])  # numba kernels, NumPy paths
def test_conv2d_in_blocks_of_images(monkeypatch, kw, shape):
    """Blocks of one image (then two) give the gradients of the whole batch at once."""
    for block in (1, 200_000):  # one image per block, then a few with a shorter last one
        monkeypatch.setattr(conv, "BLOCK_BYTES", block)
        check_op([shape, (6, shape[1] // kw.get("groups", 1), 3, 3), (6,)],
                 lambda x, w, b: tf.conv2d(x, w, b, **kw),
                 lambda x, w, b: F.conv2d(x, w, b, **kw))


@CONV
@given(g=conv_geometry(dims=1))
def test_conv1d(g):
    kw = {"stride": g["stride"][0], "padding": g["padding"][0], "dilation": g["dilation"][0],
          "groups": g["groups"]}
    check_op(_conv_inputs(g), lambda x, w, b=None: tf.conv1d(x, w, b, **kw),
             lambda x, w, b=None: F.conv1d(x, w, b, **kw), seed=g["seed"])


@CONV
@given(g=conv_geometry(), extra=st.tuples(st.integers(0, 2), st.integers(0, 2)))
def test_conv_transpose2d(g, extra):
    extra = tuple(min(e, max(s, d) - 1) for e, s, d in
                  zip(extra, g["stride"], g["dilation"], strict=True))
    for s, k, d, p, e in zip(g["size"], g["k"], g["dilation"], g["padding"], extra, strict=True):
        assume((s - 1) * 1 + d * (k - 1) + e + 1 - 2 * p >= 1)
    kw = {"stride": g["stride"], "padding": g["padding"], "dilation": g["dilation"],
          "groups": g["groups"], "output_padding": extra}
    check_op(_conv_inputs(g, transposed=True),
             lambda x, w, b=None: tf.conv_transpose2d(x, w, b, **kw),
             lambda x, w, b=None: F.conv_transpose2d(x, w, b, **kw), seed=g["seed"])


@pytest.mark.parametrize("k,d", [((3, 3), (1, 1)), ((2, 4), (1, 1)), ((3, 2), (2, 3))])
@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
def test_conv2d_same_padding_keeps_the_size(k, d):
    kw = {"padding": "same", "dilation": d}
    check_op([(2, 3, 5, 6), (4, 3) + k], lambda x, w: tf.conv2d(x, w, **kw),
             lambda x, w: F.conv2d(x, w, **kw))
    assert F.conv2d(cr.ones(1, 3, 5, 6), cr.ones(4, 3, *k), padding="same").shape == (1, 4, 5, 6)


def test_conv1d_same_and_valid():
    check_op([(2, 3, 9), (2, 3, 4)], lambda x, w: tf.conv1d(x, w, padding="same"),
             lambda x, w: F.conv1d(x, w, padding="same"))
    check_op([(2, 3, 9), (2, 3, 4)], lambda x, w: tf.conv1d(x, w, padding="valid"),
             lambda x, w: F.conv1d(x, w, padding="valid"))


def test_conv2d_chains_through_channels_first_views():
    """A conv's output is an NCHW view of (C, N, H, W) memory; ops after it read it as usual."""
    def net(f):
        return lambda x, w1, w2: f.conv2d(f.relu(f.conv2d(x, w1, padding=1)), w2,
                                          stride=2).flatten(1)

    check_op([(3, 2, 6, 5), (4, 2, 3, 3), (3, 4, 2, 2)], net(tf), net(F))


def test_im2col_and_col2im_are_adjoint():
    """<im2col(x), c> = <x, col2im(c)> for random x and c: col2im is the exact adjoint."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 7, 6))
    geometry = ((3, 2), (2, 3), (1, 2), ((1, 2), (0, 1)))
    cols = im2col(x, *geometry).copy()
    c = rng.standard_normal(cols.shape)
    back = col2im(c, x.shape, *geometry)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


def test_workspace_is_not_shared_by_live_graphs():
    """Two forwards of the same shape before one backward keep separate im2col columns."""
    workspace.clear()
    rng = np.random.default_rng(1)
    w = cr.tensor(rng.standard_normal((2, 1, 3, 3)).astype(np.float32), requires_grad=True)
    a, b = (cr.tensor(rng.standard_normal((1, 1, 5, 5)).astype(np.float32)) for _ in range(2))
    ya, yb = F.conv2d(a, w), F.conv2d(b, w)
    (ya.sum() + 2 * yb.sum()).backward()
    expected = np.zeros((2, 1, 3, 3), dtype=np.float32)
    for x, scale in ((a, 1), (b, 2)):
        view = np.lib.stride_tricks.sliding_window_view(x.data[0, 0], (3, 3))
        expected += scale * view.sum(axis=(0, 1))
    np.testing.assert_allclose(w.grad, expected, rtol=1e-5)


def test_jvp_agrees_with_reverse_mode():
    rng = np.random.default_rng(2)
    fns = [lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
           lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1)]
    shapes = [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]
    for fn in fns:
        shapes_t = shapes if fn is fns[0] else [(2, 4, 5, 5), (4, 3, 3, 3), (3,)]
        xs = [cr.tensor(rng.standard_normal(s), dtype=np.float64, requires_grad=True)
              for s in shapes_t]
        vs = [rng.standard_normal(s) for s in shapes_t]
        out, jv = cr.jvp(fn, xs, vs)
        u = rng.standard_normal(out.shape)
        grads = cr.grad(fn(*xs), xs, grad_outputs=[u])
        np.testing.assert_allclose(np.sum(u * jv.data),
                                   sum(np.sum(g.data * v) for g, v in zip(grads, vs,
                                                                           strict=True)),
                                   rtol=1e-10)


@pytest.mark.parametrize("call,message", [
    (lambda: F.conv2d(cr.ones(1, 3, 5, 5), cr.ones(2, 2, 3, 3)),
     r"input of shape \(1, 3, 5, 5\) has 3 channels.*\(2, 2, 3, 3\).*expects 2"),
    (lambda: F.conv2d(cr.ones(1, 4, 5, 5), cr.ones(3, 2, 3, 3), groups=2),
     r"3 is not divisible by groups=2"),
    (lambda: F.conv2d(cr.ones(1, 1, 2, 2), cr.ones(1, 1, 3, 3)), r"larger than the padded"),
    (lambda: F.conv2d(cr.ones(1, 1, 5, 5), cr.ones(1, 1, 3, 3), stride=2, padding="same"),
     r"padding='same' needs stride 1"),
    (lambda: F.conv2d(cr.ones(1, 1, 5, 5), cr.ones(1, 1, 3, 3), cr.ones(2)),
     r"bias of shape \(2,\)"),
    (lambda: F.conv2d(cr.ones(1, 5, 5), cr.ones(1, 1, 3, 3)), r"4-D input.*\(1, 5, 5\)"),
    (lambda: F.conv2d(cr.ones(1, 1, 5, 5), cr.ones(1, 1, 3, 3), stride=0), r"stride"),
    (lambda: F.conv_transpose2d(cr.ones(1, 1, 3, 3), cr.ones(1, 1, 3, 3), stride=2,
                                output_padding=2), r"output_padding \(2, 2\)"),
])
def test_conv_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()

