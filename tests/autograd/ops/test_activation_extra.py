"""SiLU, GELU (exact and tanh), Mish, SELU, softsign, log-sigmoid, hardtanh, ReLU6 and
softmin (through ``chainrule.functional``) against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_jvp, check_op, nonscalar_shapes, shapes, tf

PAIRS = {
    "silu": (lambda a: tf.silu(a), F.silu),
    "gelu": (lambda a: tf.gelu(a), F.gelu),
    "gelu tanh": (lambda a: tf.gelu(a, approximate="tanh"), lambda a: F.gelu(a, "tanh")),
    "mish": (lambda a: tf.mish(a), F.mish),
    "selu": (lambda a: tf.selu(a), F.selu),
    "softsign": (lambda a: tf.softsign(a), F.softsign),
    "logsigmoid": (lambda a: tf.logsigmoid(a), F.logsigmoid),
    "hardtanh": (lambda a: tf.hardtanh(a), F.hardtanh),
    "hardtanh -0.5 2": (lambda a: tf.hardtanh(a, -0.5, 2.0), lambda a: F.hardtanh(a, -0.5, 2.0)),
    "relu6": (lambda a: tf.relu6(a * 4), lambda a: F.relu6(a * 4)),
}


@pytest.mark.parametrize("name", PAIRS)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_activation(name, shape, seed):
    theirs, ours = PAIRS[name]
    check_op([shape], theirs, ours, low=-3.0, high=3.0, seed=seed)


@pytest.mark.parametrize("name", PAIRS)
def test_kinks_saturation_and_jvp(name):
    theirs, ours = PAIRS[name]
    check_op([], theirs, ours, values=[[0.0, -1.0, 1.0, 1.5, 6.0, -0.5, 2.0, 40.0, -40.0]],
             gradcheck=False)
    check_jvp([(2, 3)], ours, low=-3.0, high=3.0)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_softmin(data, shape, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op([shape], lambda a: tf.softmin(a, dim), lambda a: F.softmin(a, dim), seed=seed)


def test_log_sigmoid_alias_and_integer_input():
    assert F.log_sigmoid is F.logsigmoid
    assert F.gelu(cr.tensor([1, 2])).dtype == np.float32
    np.testing.assert_allclose(F.logsigmoid(cr.tensor([-1000.0, 1000.0])).data, [-1000.0, 0.0])


def test_errors():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        F.gelu(cr.ones(2), approximate="erf")
    with pytest.raises(ValueError, match="hardtanh: min_val 2 is above max_val 1"):
        F.hardtanh(cr.ones(2), 2, 1)
