"""F.pad in its four modes against gradcheck and torch (torch's flat (before, after) list)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_jvp, check_op, tf


@st.composite
def padded(draw, mode):
    """A batched shape (1-2 leading axes) with 1-3 padded axes, and legal amounts for mode."""
    k = draw(st.integers(1, 3))
    lead = draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(lead)) + \
        tuple(draw(st.integers(1, 4)) for _ in range(k))
    amounts = []
    for ax in reversed(range(lead, lead + k)):
        n = shape[ax]
        top = {"reflect": n - 1, "circular": n, "replicate": 3, "constant": 3}[mode]
        low = -min(n - 1, 2) if mode == "constant" else 0
        amounts += [draw(st.integers(low, top)), draw(st.integers(low, top))]
    return shape, tuple(amounts)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@FAST
@given(data=st.data(), seed=st.integers(0, 1000))
def test_pad_modes(mode, data, seed):
    shape, amounts = data.draw(padded(mode))
    check_op([shape], lambda a: tf.pad(a, amounts, mode=mode),
             lambda a: F.pad(a, amounts, mode=mode), seed=seed)


def test_constant_value_and_other_axes():
    check_op([(2, 3)], lambda a: tf.pad(a, (1, 2), value=-1.5),
             lambda a: F.pad(a, (1, 2), value=-1.5))
    check_op([(2, 3, 2)], lambda a: tf.pad(a, (0, 1, 1, 0, 2, 1)),
             lambda a: F.pad(a, (0, 1, 1, 0, 2, 1)))
    check_op([(3,)], lambda a: tf.pad(a, (-1, -1)), lambda a: F.pad(a, (-1, -1)))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_jvp(mode):
    check_jvp([(2, 3, 4)], lambda a: F.pad(a, (2, 1, 1, 2), mode=mode))


def test_integer_tensors_pad_and_keep_their_dtype():
    out = F.pad(cr.tensor([[1, 2, 3]]), (1, 1), mode="reflect")
    np.testing.assert_array_equal(out.data, [[2, 1, 2, 3, 2]])
    assert out.dtype == np.int64


def test_pad_errors_name_the_problem():
    x = cr.ones(2, 3)
    with pytest.raises(ValueError, match=r"reflect padding \(3, 0\) at dim 1 must be smaller "
                                         r"than its size 3"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"circular padding \(0, 4\) at dim 1 must not exceed"):
        F.pad(x, (0, 4), mode="circular")
    with pytest.raises(ValueError, match="mode must be one of constant, reflect, replicate"):
        F.pad(x, (1, 1), mode="wrap")
    with pytest.raises(ValueError, match=r"3 amounts \(1, 1, 1\) must come in \(before, after\)"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="negative amounts .* for mode='constant' only"):
        F.pad(x, (-1, 0), mode="replicate")
    with pytest.raises(ValueError, match="value=2 is only for mode='constant'"):
        F.pad(x, (1, 0), mode="replicate", value=2)


def test_size_0_dims():
    check_op([(0, 3)], lambda a: tf.pad(a, (1, 2)), lambda a: F.pad(a, (1, 2)))
    check_op([(0, 2, 3)], lambda a: tf.pad(a, (1, 1), mode="reflect"),
             lambda a: F.pad(a, (1, 1), mode="reflect"))
    check_op([(2, 0, 3)], lambda a: tf.pad(a, (1, 0), mode="circular"),
             lambda a: F.pad(a, (1, 0), mode="circular"))
