"""Trigonometric, hyperbolic, erf, rounding and remainder ops against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, broadcast_pairs, check_jvp, check_op, shapes, torch

# name -> (our function, the input range where it is smooth)
SMOOTH = {
    "sin": (cr.sin, -3.0, 3.0), "cos": (cr.cos, -3.0, 3.0), "tan": (cr.tan, -1.2, 1.2),
    "asin": (cr.asin, -0.9, 0.9), "acos": (cr.acos, -0.9, 0.9), "atan": (cr.atan, -3.0, 3.0),
    "sinh": (cr.sinh, -3.0, 3.0), "cosh": (cr.cosh, -3.0, 3.0), "erf": (cr.erf, -3.0, 3.0),
    "erfc": (cr.erfc, -3.0, 3.0), "log1p": (cr.log1p, -0.5, 3.0), "expm1": (cr.expm1, -3.0, 3.0),
    "log2": (cr.log2, 0.2, 3.0), "log10": (cr.log10, 0.2, 3.0), "exp2": (cr.exp2, -3.0, 3.0),
    "rsqrt": (cr.rsqrt, 0.2, 3.0), "reciprocal": (cr.reciprocal, 0.3, 3.0),
    "square": (cr.square, -3.0, 3.0),
}
ROUNDING = ["sign", "floor", "ceil", "round", "trunc"]


@pytest.mark.parametrize("name", SMOOTH)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_smooth(name, shape, seed):
    ours, low, high = SMOOTH[name]
    check_op([shape], lambda a: getattr(torch, name)(a), ours, low=low, high=high, seed=seed)


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_method_functional_and_jvp(name):
    ours, low, high = SMOOTH[name]
    check_op([(2, 3)], lambda a: getattr(a, name)(), low=low, high=high)
    check_op([(0, 3)], lambda a: getattr(torch, name)(a), getattr(F, name))
    check_jvp([(2, 3)], ours, low=low, high=high)


@pytest.mark.parametrize("name", ROUNDING)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_rounding_has_zero_gradient(name, shape, seed):
    check_op([shape], lambda a: getattr(torch, name)(a), getattr(cr, name), low=-3.0, high=3.0,
             seed=seed)


@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_at_jumps_and_on_integers(name):
    values = [[-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 1.0, -1.0]]
    check_op([], lambda a: getattr(a, name)(), values=values, gradcheck=False)
    check_jvp([(2, 3)], getattr(cr, name), low=0.1, high=0.9)
    if torch is None:
        pytest.skip("torch is not installed")
    ints = np.array([-3, 0, 4])
    ours = getattr(cr, name)(cr.tensor(ints))
    theirs = getattr(torch, name)(torch.tensor(ints))
    assert ours.dtype == np.int64 and str(theirs.dtype) == "torch.int64"
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_round_decimals():
    check_op([(3, 4)], lambda a: torch.round(a, decimals=1), lambda a: a.round(decimals=1),
             values=[[[0.123, 1.25, -3.14159, 2.0]] * 3], gradcheck=False)


@pytest.mark.parametrize("name,method", [("remainder", "__mod__"), ("fmod", "fmod")])
@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000), negative=st.booleans())
def test_remainder_and_fmod(name, method, pair, seed, negative):
    sign = -1.0 if negative else 1.0
    check_op(pair.input_shapes, lambda a, b: getattr(torch, name)(a, b * sign),
             lambda a, b: getattr(a, method)(b * sign), low=[-5.0, 0.5], high=[5.0, 2.0],
             seed=seed)


def test_remainder_signs_match_python_and_fmod_matches_c():
    a = cr.tensor([5.0, -5.0, 5.0, -5.0])
    b = cr.tensor([3.0, 3.0, -3.0, -3.0])
    np.testing.assert_array_equal((a % b).data, [5 % 3, -5 % 3, 5 % -3, -5 % -3])
    np.testing.assert_array_equal(cr.fmod(a, b).data, [2.0, -2.0, 2.0, -2.0])
    np.testing.assert_array_equal((7 % cr.tensor([4, -4])).data, [3, -1])
    assert (cr.tensor([7, -7]) % 4).dtype == np.int64


def test_remainder_jvp():
    check_jvp([(2, 3), (3,)], lambda a, b: a % (b + 3.0), low=0.1, high=0.9)
    check_jvp([(2, 3), (3,)], lambda a, b: cr.fmod(a * 4, b + 1.5), low=0.1, high=0.9)


@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_floor_divide(pair, seed):
    # torch's floor_divide has no derivative; floor(a / b) is the same function, gradient 0
    check_op(pair.input_shapes, lambda a, b: torch.floor(a / b), lambda a, b: a // b,
             low=[-5.0, 0.5], high=[5.0, 2.0], seed=seed)


def test_floor_divide_matches_python_on_integers_and_reflected():
    a = cr.tensor([7, -7, 7, -7])
    b = cr.tensor([2, 2, -2, -2])
    np.testing.assert_array_equal((a // b).data, [7 // 2, -7 // 2, 7 // -2, -7 // -2])
    assert (a // b).dtype == np.int64
    np.testing.assert_array_equal((7.0 // cr.tensor([2.0, -2.0])).data, [3.0, -4.0])
    check_jvp([(2, 3), (3,)], lambda a, b: a // (b + 1.0), low=0.1, high=0.9)


def test_integer_division_by_zero_is_an_error_and_float_gives_nan():
    with pytest.raises(ZeroDivisionError, match=r"remainder: integer division by zero"):
        cr.tensor([1, 2]) % cr.tensor([1, 0])
    with pytest.raises(ZeroDivisionError, match=r"floor_divide"):
        cr.tensor([1, 2]) // 0
    assert np.isnan((cr.tensor([1.0]) % 0.0).item())


def test_mismatched_shapes_name_both():
    with pytest.raises(ValueError, match=r"fmod: shapes \(2,\) and \(3,\)"):
        cr.fmod(cr.ones(2), cr.ones(3))


def test_out_of_domain_is_nan_like_torch():
    out = cr.asin(cr.tensor([2.0, 0.5]))
    assert np.isnan(out.data[0]) and not np.isnan(out.data[1])


def test_integer_input_to_smooth_ops_is_float32():
    assert cr.sin(cr.tensor([1, 2])).dtype == np.float32
    assert cr.erf([0, 1]).dtype == np.float32


def test_square_of_integers_stays_integer():
    assert cr.square(cr.tensor([2, -3])).tolist() == [4, 9]
