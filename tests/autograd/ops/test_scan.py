"""Scans (cumsum, cumprod, cummax, cummin, logcumsumexp) against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_jvp, check_op, shapes, torch

SCANS = ["cumsum", "cumprod", "logcumsumexp"]


@pytest.mark.parametrize("name", SCANS)
@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000))
def test_scan(name, data, shape, seed):
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    check_op([shape], lambda a: getattr(torch, name)(a, dim), lambda a: getattr(cr, name)(a, dim),
             seed=seed)


@pytest.mark.parametrize("name", SCANS)
def test_scan_method_axis_keyword_size_0_and_jvp(name):
    check_op([(2, 3)], lambda a: getattr(a, name)(dim=0), lambda a: getattr(a, name)(axis=0))
    check_op([(0, 3)], lambda a: getattr(torch, name)(a, 1), lambda a: getattr(cr, name)(a, 1))
    check_jvp([(3, 4)], lambda a: getattr(cr, name)(a, -1))


@pytest.mark.parametrize("row", [[0.0, 2.0, 3.0, -1.5], [2.0, 0.0, 3.0, 0.5],
                                 [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 1.5, 2.0], [1.5, 2.0, 3.0, 0.0]])
def test_cumprod_is_exact_at_zeros(row):
    check_op([], lambda a: torch.cumprod(a, -1), lambda a: cr.cumprod(a, -1), values=[[row] * 2])
    x = cr.tensor([row], dtype=np.float64)  # forward mode, at the zeros too
    v = np.random.default_rng(0).standard_normal(x.shape)
    _, jv = cr.jvp(lambda a: cr.cumprod(a, 1), [x], [v])
    eps = 1e-6
    diff = (np.cumprod(x.data + eps * v, 1) - np.cumprod(x.data - eps * v, 1)) / (2 * eps)
    np.testing.assert_allclose(jv.data, diff, atol=1e-8)


def test_integer_scans_give_int64():
    assert cr.cumsum(cr.tensor(np.array([1, 2], np.int32)), 0).dtype == np.int64
    np.testing.assert_array_equal(cr.cumprod(cr.tensor([True, True, False]), 0).data, [1, 1, 0])


def test_logcumsumexp_does_not_overflow():
    x = cr.tensor([1000.0, 1000.0, -1000.0], requires_grad=True)
    out = cr.logcumsumexp(x, 0)
    np.testing.assert_allclose(out.data, [1000.0, 1000.0 + np.log(2), 1000.0 + np.log(2)])
    out.backward(np.array([1.0, -2.0, 3.0], np.float32))
    assert np.isfinite(x.grad).all()


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000))
def test_running_extremes(name, data, shape, seed):
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    check_op([shape], lambda a: getattr(torch, name)(a, dim).values,
             lambda a: getattr(cr, name)(a, dim).values, seed=seed)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extremes_ties_indices_and_jvp(name):
    values = [[1.0, 3.0, 3.0, 0.0, 3.0, -1.0, -1.0]]
    check_op([], lambda a: getattr(torch, name)(a, 0).values,
             lambda a: getattr(a, name)(dim=0).values, values=values, gradcheck=False)
    if torch is not None:
        ours = getattr(cr, name)(cr.tensor(values[0]), 0).indices
        theirs = getattr(torch, name)(torch.tensor(values[0]), 0).indices
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    check_jvp([(3, 4)], lambda a: getattr(cr, name)(a, 1).values)


def test_scan_errors_name_the_problem():
    x = cr.ones(2, 3)
    with pytest.raises(TypeError, match="cumsum: the dimension to scan along is required"):
        cr.cumsum(x)
    with pytest.raises(ValueError, match="cumprod: dim 2 is out of range for a tensor with 2"):
        cr.cumprod(x, 2)
    with pytest.raises(TypeError, match=r"cummax: got both axis=1 and dim=0"):
        cr.cummax(x, dim=0, axis=1)
