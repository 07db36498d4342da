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
    a = _awkward((6, 5), np.float32, 2)
    contiguous = cr.tensor(a, requires_grad=True)
    base = cr.tensor(a.T, requires_grad=True)
    strided = base.T  # same values as ``contiguous``, a transposed view
    assert kernels.flat_views(strided.data) is None
    g = _awkward((6, 5), np.float32, 3)
    np.testing.assert_array_equal(strided.relu().data, contiguous.relu().data)
    contiguous.relu().backward(g)
    strided.relu().backward(g)
    np.testing.assert_array_equal(base.grad.T, contiguous.grad)


def test_flat_views_refuse_mismatched_or_integer_arrays():
    a = np.zeros((2, 3), np.float32)
    assert kernels.flat_views(a, np.zeros((3, 2), np.float32)) is None
    assert kernels.flat_views(a, np.zeros((2, 3), np.float64)) is None
    assert kernels.flat_views(np.zeros(3, np.int64)) is None
    assert [v.shape for v in kernels.flat_views(a, a)] == [(6,), (6,)]
