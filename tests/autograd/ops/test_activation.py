"""Activations and softmax (through ``chainrule.functional``) against torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_op, nonscalar_shapes, shapes, tf, torch


def _pairs() -> dict:
    return {
        "sigmoid": (lambda a: a.sigmoid(), F.sigmoid),
        "sigmoid method": (lambda a: a.sigmoid(), lambda a: a.sigmoid()),
        "tanh": (lambda a: a.tanh(), F.tanh),
        "tanh method": (lambda a: a.tanh(), lambda a: a.tanh()),
        "relu": (lambda a: a.relu(), F.relu),
        "leaky_relu": (lambda a: tf.leaky_relu(a), F.leaky_relu),
        "leaky_relu 0.2": (lambda a: tf.leaky_relu(a, 0.2), lambda a: F.leaky_relu(a, 0.2)),
        "elu": (lambda a: tf.elu(a), F.elu),
        "elu 0.5": (lambda a: tf.elu(a, 0.5), lambda a: F.elu(a, alpha=0.5)),
        "softplus": (lambda a: tf.softplus(a), F.softplus),
        "softplus beta 2 threshold 1": (lambda a: tf.softplus(a, beta=2.0, threshold=1.0),
                                        lambda a: F.softplus(a, beta=2.0, threshold=1.0)),
        "step": (lambda a: (a >= 0).to(a.dtype) + 0 * a, F.step),
        "step 0 at 0": (lambda a: (a > 0).to(a.dtype) + 0 * a,
                        lambda a: F.step(a, value_at_zero=0.0)),
    }


ELEMENTWISE = ["sigmoid", "sigmoid method", "tanh", "tanh method", "relu", "leaky_relu",
               "leaky_relu 0.2", "elu", "elu 0.5", "softplus", "softplus beta 2 threshold 1",
               "step"]


@pytest.mark.parametrize("name", ELEMENTWISE)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_elementwise_activation(name, shape, seed):
    theirs, ours = _pairs()[name]
    check_op([shape], theirs, ours, low=-3.0, high=3.0, seed=seed)


@pytest.mark.parametrize("name", ["relu", "leaky_relu 0.2", "elu 0.5", "step", "step 0 at 0"])
def test_activation_at_zero_matches_torch(name):
    theirs, ours = _pairs()[name]
    check_op([], theirs, ours, values=[[0.0, -1.0, 2.0]], gradcheck=False)


def test_saturated_sigmoid_softplus_are_finite():
    x = cr.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], requires_grad=True)
    for out in (F.sigmoid(x), F.softplus(x), F.elu(x), F.tanh(x)):
        out.sum().backward()
        assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
        x.grad = None


@pytest.mark.parametrize("shape,weight", [((4, 3), (1,)), ((4, 3), (3,)), ((2, 3, 5), (3,))])
def test_prelu(shape, weight):
    check_op([shape, weight], lambda a, w: tf.prelu(a, w), F.prelu)


def test_prelu_weight_must_fit_the_channels():
    with pytest.raises(ValueError, match=r"weight of shape \(2,\).*input of shape \(4, 3\)"):
        F.prelu(cr.ones(4, 3), cr.ones(2))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_softmax(name, data, shape, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op([shape], lambda a: getattr(torch, name)(a, dim=axis),
             lambda a: getattr(F, name)(a, axis=axis), low=-5.0, high=5.0, seed=seed)


def test_softmax_is_stable_for_large_logits():
    x = cr.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    np.testing.assert_allclose(F.softmax(x).data, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(F.log_softmax(x).data, [[0.0, -1e4, -2e4]])


def test_activations_of_integer_tensors_are_float32():
    i = cr.tensor([-1, 0, 2])
    for out in (F.sigmoid(i), F.tanh(i), F.softmax(i), F.softplus(i), i.exp(), cr.sqrt(i * i)):
        assert out.dtype == np.float32


def test_step_value_at_zero_follows_deck_004_by_default():
    x = cr.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(F.step(x).data, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(cr.nn.Step(value_at_zero=0.5)(x).data, [0.0, 0.5, 1.0])
    F.step(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
