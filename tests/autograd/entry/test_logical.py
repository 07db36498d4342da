"""Tests and logic (boolean results, no graph) against torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, broadcast_pairs, check_op, torch

SPECIAL = [[np.nan, np.inf, -np.inf, 0.0, 1.5, -2.0]]


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
def test_unary_tests(name):
    check_op([], lambda a: getattr(torch, name)(a), getattr(cr, name), values=SPECIAL,
             gradcheck=False, grad=False)
    check_op([], lambda a: getattr(a, name)(), values=SPECIAL, gradcheck=False, grad=False)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_binary_logic(name, pair, seed):
    # rounded draws: about a third of the values are exactly zero (false)
    check_op(pair.input_shapes, lambda a, b: getattr(torch, name)(a.round(), b.round()),
             lambda a, b: getattr(cr, name)(a.round(), b.round()), low=-1.4, high=1.4,
             seed=seed, gradcheck=False, grad=False)


@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_isclose(pair, seed):
    check_op(pair.input_shapes, lambda a, b: torch.isclose(a, (a + b * 1e-5).round(decimals=4)),
             lambda a, b: a.isclose((a + b * 1e-5).round(decimals=4)), seed=seed,
             gradcheck=False, grad=False)


def test_isclose_tolerances_and_nan():
    a = cr.tensor([1.0, np.nan, 1.0])
    b = cr.tensor([1.1, np.nan, 1.0 + 1e-6])
    np.testing.assert_array_equal(cr.isclose(a, b).data, [False, False, True])
    np.testing.assert_array_equal(cr.isclose(a, b, atol=0.2, equal_nan=True).data,
                                  [True, True, True])


def test_bitwise_operators_on_masks_and_integers():
    m, n = cr.tensor([True, True, False]), cr.tensor([True, False, False])
    np.testing.assert_array_equal((m & n).data, [True, False, False])
    np.testing.assert_array_equal((m | n).data, [True, True, False])
    np.testing.assert_array_equal((m ^ n).data, [False, True, False])
    np.testing.assert_array_equal((~m).data, [False, False, True])
    np.testing.assert_array_equal((6 & cr.tensor([3, 5])).data, [2, 4])
    assert (cr.tensor([3, 5]) | 8).dtype == np.int64


def test_bitwise_on_floats_and_bad_shapes_are_errors():
    with pytest.raises(TypeError, match="bitwise_and: needs bool or integer tensors, got float32"):
        cr.ones(2) & cr.tensor([True, False])
    with pytest.raises(ValueError, match=r"logical_or: shapes \(2,\) and \(3,\)"):
        cr.logical_or(cr.ones(2), cr.ones(3))


def test_results_never_require_grad():
    x = cr.tensor([1.0, np.nan], requires_grad=True)
    for out in (cr.isnan(x), cr.isfinite(x), cr.logical_and(x, x), cr.isclose(x, x)):
        assert out.dtype == np.bool_ and not out.requires_grad
