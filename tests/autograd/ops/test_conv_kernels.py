"""The numba pooling and col2im kernels against their NumPy references, and through the ops."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import functional as F
from chainrule.autograd.ops import conv_kernels
from chainrule.autograd.ops.conv import col2im_reference, out_size, windows
from chainrule.autograd.ops.pool import max_pool_reference
from tests.autograd.check import check_op, tf

GEOMETRIES = [  # kernel, stride, dilation, padding ((top, bottom), (left, right))
    ((2, 2), (2, 2), (1, 1), ((0, 0), (0, 0))),
    ((3, 3), (1, 1), (1, 1), ((1, 1), (1, 1))),
    ((3, 2), (4, 3), (2, 1), ((1, 0), (0, 1))),
    ((1, 3), (1, 2), (1, 2), ((0, 0), (1, 1))),
]


def _grid(shape, kernel, stride, dilation, padding):
    return tuple(out_size(s, k, st, p, d) for s, k, st, p, d in
                 zip(shape[2:], kernel, stride, padding, dilation, strict=True))


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_col2im_kernel_matches_reference(geometry, dtype):
    kernel, stride, dilation, padding = geometry
    shape = (3, 2, 9, 7)
    ho, wo = _grid(shape, *geometry)
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((3,) + kernel + (2, ho, wo)).astype(dtype)
    ours = np.zeros(shape, dtype=dtype)
    conv_kernels.col2im(cols, *stride, *dilation, padding[0][0], padding[1][0], 0, ours)
    np.testing.assert_allclose(ours, col2im_reference(cols, shape, stride, dilation, padding),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("geometry", GEOMETRIES[1:3])
def test_col2im_kernel_adds_a_block_of_images_in_place(geometry):
    """Images 2..3 of a (3, 5, 9, 7) array get their columns added; the rest is untouched."""
    kernel, stride, dilation, padding = geometry
    shape = (3, 5, 9, 7)
    ho, wo = _grid(shape, *geometry)
    rng = np.random.default_rng(2)
    cols = rng.standard_normal((3,) + kernel + (2, ho, wo))
    dx = rng.standard_normal(shape)
    expected = dx.copy()
    expected[:, 2:4] += col2im_reference(cols, (3, 2, 9, 7), stride, dilation, padding)
    conv_kernels.col2im(cols, *stride, *dilation, padding[0][0], padding[1][0], 2, dx)
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_col2im_unit_kernel_matches_the_general_one(dtype):
    rng = np.random.default_rng(5)
    cols = rng.standard_normal((3, 3, 2, 2, 7, 6)).astype(dtype)
    dx = rng.standard_normal((3, 5, 9, 7)).astype(dtype)
    expected = dx.copy()
    conv_kernels.col2im(cols, 1, 1, 1, 1, 0, 0, 3, expected)
    conv_kernels.col2im_unit(cols, 3, dx)
    np.testing.assert_allclose(dx, expected, rtol=1e-6)


def test_im2col_unit_kernel_reads_a_block_of_images():
    rng = np.random.default_rng(4)
    xp = rng.standard_normal((3, 5, 9, 7)).astype(np.float32)
    ours = np.empty((3, 3, 2, 2, 7, 6), dtype=np.float32)
    conv_kernels.im2col_unit(xp, 3, ours)
    expected = windows(xp, (3, 2), (1, 1), (1, 1), ((0, 0), (0, 0)))[:, :, :, 3:5]
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("padding", [((0, 0), (0, 0)), ((1, 2), (0, 1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_unit_kernel_matches_the_strided_view(padding, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 9, 7)).astype(dtype)
    (pt, pb), (pl, pr) = padding
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    expected = windows(x, (3, 2), (1, 1), (1, 1), padding).copy()
    ours = np.full_like(expected, np.nan)
    conv_kernels.im2col_unit(xp, 0, ours)
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_max_pool_kernels_match_reference(geometry):
    kernel, stride, dilation, padding = geometry
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 9, 7)).astype(np.float32)
    x[0, 0, :3, :3] = 0.5  # ties: the first maximum wins in both
    out_ref, index_ref = max_pool_reference(x, kernel, stride, dilation, padding)
    out = np.empty_like(out_ref)
    index = np.empty_like(index_ref)
    conv_kernels.max_pool_forward(x, *kernel, *stride, *dilation, padding[0][0], padding[1][0],
                                  out, index)
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(index, index_ref)

    g = rng.standard_normal(out.shape).astype(np.float32)
    dx = np.zeros_like(x)
    conv_kernels.max_pool_backward(g, index, kernel[1], *stride, *dilation, padding[0][0],
                                   padding[1][0], dx)
    cols = np.zeros((3, kernel[0] * kernel[1]) + g.shape[1:], dtype=np.float32)
    np.put_along_axis(cols, index_ref[:, None].astype(np.intp), g[:, None], axis=1)
    expected = col2im_reference(cols.reshape((3,) + kernel + g.shape[1:]), x.shape, stride,
                                dilation, padding)
    np.testing.assert_allclose(dx, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 2, 8, 6), (3, 2, 9, 7)])
def test_max_pool2x2_kernels_match_reference(dtype, shape):
    """The unrolled 2x2 / stride-2 kernels: same maxima, arg-maxima (ties, NaN) and gradient
    as the reference, with the odd last row and column getting no gradient."""
    geometry = ((2, 2), (2, 2), (1, 1), ((0, 0), (0, 0)))
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, :2, :2] = 0.5  # a tie: the first maximum wins
    x[1, 1, 2:4, 2:4] = [[1.0, np.nan], [np.nan, 2.0]]  # a NaN wins
    out_ref, index_ref = max_pool_reference(x, *geometry)
    out = np.empty_like(out_ref)
    index = np.empty_like(index_ref)
    conv_kernels.max_pool2x2_forward(x, 0, out, index)
    np.testing.assert_array_equal(out, out_ref)
    np.testing.assert_array_equal(index, index_ref)

    g = rng.standard_normal(out.shape).astype(dtype)
    dx = np.full_like(x, 7.0)
    dx[:, :, 2 * out.shape[2]:] = 0
    dx[:, :, :, 2 * out.shape[3]:] = 0
    conv_kernels.max_pool2x2_backward(g, index, 0, dtype(0), dx)
    expected = np.zeros_like(x)
    conv_kernels.max_pool_backward(g, index_ref, 2, 2, 2, 1, 1, 0, 0, expected)
    np.testing.assert_array_equal(dx, expected)


def test_usable_needs_large_contiguous_floats():
    big = np.zeros((4, 8, 16, 16), dtype=np.float32)
    assert conv_kernels.usable(big)
    assert not conv_kernels.usable(big[:, :, ::2])
    assert not conv_kernels.usable(big.astype(np.int32))
    assert not conv_kernels.usable(np.zeros((2, 2), dtype=np.float32))


def test_ops_on_the_kernel_path_match_torch():
    """Inputs large enough for the kernels: max pooling and conv2d's col2im, against torch."""
    check_op([(2, 16, 15, 14)], lambda x: tf.max_pool2d(x, 3, stride=2, padding=1),
             lambda x: F.max_pool2d(x, 3, stride=2, padding=1), gradcheck=False)
    check_op([(2, 16, 15, 14)], lambda x: tf.max_pool2d(tf.relu(x), 2),
             lambda x: F.max_pool2d(F.relu(x), 2), gradcheck=False)
    check_op([(4, 8, 12, 12), (6, 8, 3, 3)],
             lambda x, w: tf.conv2d(tf.relu(x), w, padding=1, dilation=2),
             lambda x, w: F.conv2d(F.relu(x), w, padding=1, dilation=2), gradcheck=False)
