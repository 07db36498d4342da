"""Elementwise arithmetic against torch and float64 gradcheck, broadcasting included."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, broadcast_pairs, check_op, shapes, torch

# ************************************************************* binary ops

BINARY = {
    "add": (lambda a, b: a + b, -2.0, 2.0),
    "sub": (lambda a, b: a - b, -2.0, 2.0),
    "mul": (lambda a, b: a * b, -2.0, 2.0),
    "div": (lambda a, b: a / b, [-2.0, 0.5], [2.0, 2.0]),
    "pow": (lambda a, b: a ** b, [0.5, -2.0], [2.0, 2.0]),
}


@pytest.mark.parametrize("name", BINARY)
@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_binary_broadcasting(name, pair, seed):
    fn, low, high = BINARY[name]
    check_op(pair.input_shapes, fn, low=low, high=high, seed=seed)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_maximum_minimum_broadcasting(name, pair, seed):
    check_op(pair.input_shapes, lambda a, b: getattr(torch, name)(a, b), getattr(cr, name),
             seed=seed)


def test_negative_denominator():
    check_op([(3, 4), (4,)], lambda a, b: a / b, low=[-2.0, -2.0], high=[2.0, -0.5])


@pytest.mark.parametrize("fn", [
    lambda a: 2.0 + a, lambda a: 2.0 - a, lambda a: 3.0 * a, lambda a: 2.0 / a,
    lambda a: 2.0 ** a, lambda a: a + 1, lambda a: a - 1.5, lambda a: a * 2, lambda a: a / 4,
], ids=["radd", "rsub", "rmul", "rtruediv", "rpow", "add", "sub", "mul", "truediv"])
def test_python_scalar_operands(fn):
    check_op([(2, 3)], fn, low=0.5)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow"])
def test_ndarray_operand_on_the_left_defers_to_the_tensor(op):
    other = np.random.default_rng(0).uniform(0.5, 2.0, size=(1, 3))
    fn = getattr(operator, op)
    check_op([(2, 3)], lambda a: fn(torch.from_numpy(other.astype(np.float32)), a),
             lambda a: fn(other, a), low=0.5)


# ************************************************************* unary ops

UNARY = {
    "neg": (lambda a: -a, -2.0),
    "exp": (lambda a: a.exp(), -2.0),
    "log": (lambda a: a.log(), 0.1),
    "sqrt": (lambda a: a.sqrt(), 0.1),
    "abs": (lambda a: a.abs(), -2.0),
    "abs_builtin": (abs, -2.0),
}


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_unary(name, shape, seed):
    fn, low = UNARY[name]
    check_op([shape], fn, low=low, seed=seed)


@pytest.mark.parametrize("exponent", [2, 3, 1, 0, -1, 0.5, -1.5, 2.5])
def test_pow_scalar_exponent(exponent):
    low = 0.5 if exponent != int(exponent) or exponent < 0 else -2.0
    check_op([(3, 4)], lambda a: a ** exponent, low=low)


def test_pow_tensor_exponent_on_negative_base_with_integer_exponent():
    check_op([], lambda a, b: a ** b, values=[[-1.5, -2.0, 0.7], [2.0, 3.0, 1.0]],
             gradcheck=False)


@pytest.mark.parametrize("bounds", [(-0.5, 0.7), (None, 0.3), (-0.3, None)])
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_clip(bounds, shape, seed):
    lo, hi = bounds
    check_op([shape], lambda a: a.clamp(lo, hi), lambda a: a.clip(lo, hi), seed=seed)


@FAST
@given(pair=broadcast_pairs, seed=st.integers(0, 1000))
def test_where(pair, seed):
    a_shape, b_shape = pair.input_shapes
    cond = np.random.default_rng(seed).random(pair.result_shape) > 0.5
    check_op([a_shape, b_shape], lambda a, b: torch.where(torch.tensor(cond), a, b),
             lambda a, b: cr.where(cond, a, b), seed=seed)


def test_where_with_a_constant_branch():
    cond = np.array([True, False, True])
    check_op([(3,)], lambda a: torch.where(torch.from_numpy(cond), a, 0.5),
             lambda a: cr.where(cond, a, 0.5))
    check_op([(3,)], lambda a: torch.where(torch.from_numpy(cond), 0.5, a),
             lambda a: cr.where(cond, 0.5, a))


# ************************************************ non-differentiable points: do what torch does

def _kinks() -> dict:
    return {
        "maximum ties": ([[1.0, 2.0, 3.0, -1.0], [1.0, 1.0, 4.0, -1.0]],
                         lambda a, b: torch.maximum(a, b), cr.maximum),
        "minimum ties": ([[1.0, 2.0, 3.0, -1.0], [1.0, 1.0, 4.0, -1.0]],
                         lambda a, b: torch.minimum(a, b), cr.minimum),
        "clip at bounds": ([[0.0, 0.5, 1.0, 2.0, -1.0]], lambda a: a.clamp(0.0, 1.0),
                           lambda a: a.clip(0.0, 1.0)),
        "clip min at bound": ([[0.0, 0.5, -1.0]], lambda a: a.clamp(min=0.0),
                              lambda a: a.clip(0.0, None)),
        "abs at 0": ([[0.0, -1.0, 2.0]], lambda a: a.abs(), cr.abs),
        "sqrt at 0": ([[0.0, 1.0, 4.0]], lambda a: a.sqrt(), cr.sqrt),
        "log at 0": ([[0.0, 1.0]], lambda a: a.log(), cr.log),
        "relu at 0": ([[0.0, -1.0, 2.0]], lambda a: a.relu(), lambda a: a.relu()),
        "pow 0": ([[0.0, -1.0, 2.0]], lambda a: a ** 0, None),
        "pow 1 at 0": ([[0.0, -1.0, 2.0]], lambda a: a ** 1, None),
        "pow 0.5 at 0": ([[0.0, 1.0]], lambda a: a ** 0.5, None),
        "pow -1 at 0": ([[0.0, 2.0]], lambda a: a ** -1.0, None),
        "pow tensor at base 0": ([[0.0, 0.0, 0.0, 2.0], [0.0, 1.0, 2.0, 0.0]],
                                 lambda a, b: a ** b, None),
    }


KINKS = ["maximum ties", "minimum ties", "clip at bounds", "clip min at bound", "abs at 0",
         "sqrt at 0", "log at 0", "relu at 0", "pow 0", "pow 1 at 0", "pow 0.5 at 0",
         "pow -1 at 0", "pow tensor at base 0"]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("name", KINKS)
def test_non_differentiable_points_match_torch(name):
    values, theirs, ours = _kinks()[name]
    check_op([], theirs, ours, values=values, gradcheck=False, upstream="sum")


# ************************************************************* dtypes

def test_float32_tensor_with_int64_array_stays_float32():
    x = cr.tensor([1.5, 2.5], requires_grad=True)
    for y in (x * np.array([2, 3], dtype=np.int64), np.array([2, 3], dtype=np.int64) * x,
              x + np.int64(3), x / np.array([2, 3])):
        assert y.dtype == np.float32


@pytest.mark.parametrize("scalar", [2.5, np.float64(2.5), 3, np.int64(3), True])
def test_python_and_numpy_scalars_keep_float32(scalar):
    x = cr.tensor([1.5, 2.5], requires_grad=True)
    results = [x + scalar, scalar + x, x - scalar, scalar - x, x * scalar, scalar * x,
               x / scalar, scalar / x, x ** scalar, x.maximum(scalar), x.minimum(scalar)]
    for y in results:
        assert y.dtype == np.float32, y
    sum(results).sum().backward()
    assert x.grad.dtype == np.float32


def test_float64_array_operand_does_not_upcast():
    x = cr.tensor(np.ones((2, 2)), requires_grad=True)
    assert (x + np.ones((2, 2), dtype=np.float64)).dtype == np.float32
    assert (np.ones((2, 2), dtype=np.float64) + x).dtype == np.float32


def test_integer_tensor_with_float_gives_float32_like_torch():
    i = cr.tensor([1, 2, 3])
    assert i.dtype == np.int64
    for y in (i + 0.5, 0.5 + i, i * 1.5, i / 2, i / cr.tensor([2, 2, 2]), 2 / i, i ** 0.5,
              i + cr.tensor([0.5, 0.5, 0.5]), cr.tensor([0.5, 0.5, 0.5]) * i):
        assert y.dtype == np.float32, y
    assert (i + 1).dtype == np.int64
    assert (i * i).dtype == np.int64


def test_float64_tensors_stay_float64():
    x = cr.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = (x * 2.5 + 1).exp().sum()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_broadcast_mismatch_names_both_shapes():
    a, b = cr.ones(2, 3, requires_grad=True), cr.ones(4, 3)
    for op in (lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / b,
               lambda: a.maximum(b), lambda: a ** b):
        with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 3\)"):
            op()


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="at least one of min and max"):
        cr.ones(2).clip()


def test_integer_tensor_to_a_float_power_is_float32_like_torch():
    # issue 17: int32 ** 2.0 stayed int32 and ** -1.0 raised
    x = cr.tensor(np.array([1, 2, 3, 4], np.int32))
    squared, inverse = x ** 2.0, x ** -1.0
    assert squared.dtype == inverse.dtype == np.float32
    np.testing.assert_array_equal(squared.data, [1, 4, 9, 16])
    np.testing.assert_allclose(inverse.data, [1, 0.5, 1 / 3, 0.25], rtol=1e-7)
    assert (x ** 2).dtype == np.int32  # an integer exponent keeps integers, as torch
    assert x.pow(0.5).dtype == np.float32
