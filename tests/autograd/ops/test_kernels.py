"""The numba elementwise kernels against their NumPy references, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.ops import kernels


def _awkward(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    """Random values salted with the cases a max or a mask gets wrong: 0, -0, inf, NaN."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape).astype(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45], dtype=dtype)
    idx = rng.choice(a.size, size=min(a.size, 3 * len(specials)), replace=False)
    a.reshape(-1)[idx] = np.resize(specials, len(idx))
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1,), (7,), (128, 512), (3, 4, 5)])
def test_relu_kernels_equal_their_numpy_references(shape, dtype):
    a, g = _awkward(shape, dtype, 0), _awkward(shape, dtype, 1)
    out = np.empty_like(a)
    kernels.relu_forward(a.reshape(-1), out.reshape(-1))
    expected = np.maximum(a, 0)
    np.testing.assert_array_equal(out, expected)
    dst = np.empty_like(g)
    kernels.relu_backward(g.reshape(-1), out.reshape(-1), dst.reshape(-1))
    np.testing.assert_array_equal(dst, np.where(expected > 0, g, 0))


def test_relu_takes_the_numpy_path_for_strided_input_with_the_same_result():
    a = _awkward((64, 50), np.float32, 2)
    contiguous = cr.tensor(a, requires_grad=True)
    wide = np.zeros((64, 100), np.float32)
    wide[:, ::2] = a
    base = cr.tensor(wide, requires_grad=True)
    strided = base[:, ::2]  # same values as ``contiguous``, every other column of memory
    assert kernels.flat_views(strided.data) is None
    g = _awkward((64, 50), np.float32, 3)
    np.testing.assert_array_equal(strided.relu().data, contiguous.relu().data)
    contiguous.relu().backward(g)
    strided.relu().backward(g)
    np.testing.assert_array_equal(base.grad[:, ::2], contiguous.grad)


def test_relu_kernel_serves_permuted_dense_views_with_the_same_result():
    """A transposed view (e.g. a convolution's NCHW view of CNHW memory) is dense: kernel path."""
    a = _awkward((64, 50), np.float32, 2)
    contiguous = cr.tensor(a, requires_grad=True)
    base = cr.tensor(np.ascontiguousarray(a.T), requires_grad=True)
    permuted = base.T
    assert kernels.flat_views(permuted.data) is not None
    out = permuted.relu()
    assert out.data.strides == permuted.data.strides  # the layout is kept
    np.testing.assert_array_equal(out.data, contiguous.relu().data)
    g = np.ascontiguousarray(_awkward((50, 64), np.float32, 3)).T
    contiguous.relu().backward(np.ascontiguousarray(g))
    out.backward(g)
    np.testing.assert_array_equal(base.grad.T, contiguous.grad)


def test_flat_views_refuse_mismatched_integer_or_tiny_arrays():
    n = kernels.MIN_SIZE
    a = np.zeros((2, n), np.float32)
    assert kernels.flat_views(a, np.zeros((n, 2), np.float32)) is None
    assert kernels.flat_views(a, np.zeros((2, n), np.float64)) is None
    assert kernels.flat_views(np.zeros(n, np.int64)) is None
    assert kernels.flat_views(np.zeros(n - 1, np.float32)) is None
    assert [v.shape for v in kernels.flat_views(a, a)] == [(2 * n,), (2 * n,)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (128, 10), (7, 1000)])
def test_log_softmax_pick_matches_its_numpy_reference(shape, dtype):
    rng = np.random.default_rng(4)
    z = (rng.standard_normal(shape) * 30).astype(dtype)
    z[0, 0] = 1e4 if shape[1] > 1 else z[0, 0]  # one dominant logit: exp must not overflow
    labels = rng.integers(0, shape[1], shape[0])
    logp, losses = np.empty_like(z), np.empty(shape[0], dtype)
    bad, total = kernels.log_softmax_pick(z, labels, logp, losses)
    assert bad == -1
    ref_logp, ref_losses, ref_total = kernels.log_softmax_pick_reference(z, labels)
    tol = {"rtol": 2e-6, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-13, "atol": 1e-13}
    np.testing.assert_allclose(logp, ref_logp, **tol)
    np.testing.assert_allclose(losses, ref_losses, **tol)
    np.testing.assert_allclose(total, ref_total, rtol=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(total, losses.astype(np.float64).sum(), rtol=1e-12)


def test_log_softmax_pick_propagates_nan_and_reports_the_first_bad_label():
    z = np.array([[1.0, np.nan, 2.0], [0.0, 1.0, 2.0], [3.0, 2.0, 1.0]], np.float32)
    logp, losses = np.empty_like(z), np.empty(3, np.float32)
    assert kernels.log_softmax_pick(z, np.array([0, 3, 0]), logp, losses)[0] == 1
    assert np.isnan(logp[0]).all() and np.isnan(losses[0])
    assert kernels.log_softmax_pick(z, np.array([0, 1, -100]), logp, losses)[0] == 2
    assert kernels.log_softmax_pick(z, np.array([2, 1, 0]), logp, losses)[0] == -1
