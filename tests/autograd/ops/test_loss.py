"""Losses (through ``chainrule.functional``) against torch, every reduction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_op, shapes, tf, torch

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_regression_losses(name, reduction, shape, seed):
    check_op([shape, shape], lambda a, b: getattr(tf, name)(a, b, reduction=reduction),
             lambda a, b: getattr(F, name)(a, b, reduction=reduction), seed=seed)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_binary_cross_entropy(reduction, shape, seed):
    check_op([shape, shape], lambda p, y: tf.binary_cross_entropy(p, y, reduction=reduction),
             lambda p, y: F.binary_cross_entropy(p, y, reduction=reduction),
             low=[0.05, 0.0], high=[0.95, 1.0], seed=seed)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_binary_cross_entropy_with_logits(reduction, shape, seed):
    check_op([shape, shape],
             lambda x, y: tf.binary_cross_entropy_with_logits(x, y, reduction=reduction),
             lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
             low=[-4.0, 0.0], high=[4.0, 1.0], seed=seed)


def test_binary_cross_entropy_clamps_its_logs_like_torch():
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0], dtype=np.float32)
    check_op([], lambda p: tf.binary_cross_entropy(p, torch.from_numpy(y), reduction="sum"),
             lambda p: F.binary_cross_entropy(p, y, reduction="sum"),
             values=[[0.0, 1.0, 0.0, 1.0, 1e-30]], gradcheck=False, rtol=1e-6)
    loss = F.binary_cross_entropy(cr.tensor([0.0, 1.0]), cr.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])


def test_binary_cross_entropy_with_logits_is_finite_at_1e4():
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5], dtype=np.float32)
    check_op([], lambda x: tf.binary_cross_entropy_with_logits(x, torch.from_numpy(y),
                                                                  reduction="sum"),
             lambda x: F.binary_cross_entropy_with_logits(x, y, reduction="sum"),
             values=[[1e4, 1e4, -1e4, -1e4, 1e4]], gradcheck=False)
    loss = F.binary_cross_entropy_with_logits(cr.tensor([1e4, -1e4]), [0.0, 1.0], "none")
    np.testing.assert_allclose(loss.data, [1e4, 1e4])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [("huber_loss", {"delta": 0.6}),
                                         ("smooth_l1_loss", {"beta": 0.6}),
                                         ("smooth_l1_loss", {"beta": 0.0})], ids=str)
@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_thresholded_regression_losses(name, kwargs, reduction, shape, seed):
    check_op([shape, shape], lambda a, b: getattr(tf, name)(a, b, reduction=reduction, **kwargs),
             lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kwargs), seed=seed)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    def ours(x, t):
        return F.kl_div(F.log_softmax(x, axis=1), t if log_target else t.exp(),
                        reduction=reduction, log_target=log_target)

    def theirs(x, t):
        return tf.kl_div(tf.log_softmax(x, dim=1), t if log_target else t.exp(),
                         reduction=reduction, log_target=log_target)

    check_op([(4, 3), (4, 3)], theirs, ours, low=[-2.0, -3.0], high=[2.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3)], ids=str)
def test_binary_cross_entropy_with_logits_pos_weight(reduction, shape):
    pw = np.array([0.5, 2.0, 3.0], np.float32)
    check_op([shape, shape],
             lambda x, y: tf.binary_cross_entropy_with_logits(
                 x, y, reduction=reduction, pos_weight=torch.from_numpy(pw)),
             lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction,
                                                             pos_weight=pw),
             low=[-4.0, 0.0], high=[4.0, 1.0])


# ************************************************************* classification

CE_SHAPES = [(4, 5), (5,), (3, 4, 2), (2, 3, 2, 2)]


def _labels(shape: tuple[int, ...], seed: int, ignore: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    label_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    labels = rng.integers(0, shape[1] if len(shape) > 1 else shape[0], size=label_shape)
    if ignore is not None and labels.ndim:
        labels.flat[::2] = ignore
    return labels


@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [None, -100, 1])
def test_cross_entropy_with_labels(shape, reduction, smoothing, ignore):
    labels = _labels(shape, 0, ignore)
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    check_op([shape], lambda z: tf.cross_entropy(z, torch.from_numpy(labels), **kwargs),
             lambda z: F.cross_entropy(z, labels, **kwargs), low=-3.0, high=3.0)


@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [None, 1])
def test_cross_entropy_with_class_weights(shape, reduction, smoothing, ignore):
    labels = _labels(shape, 2, ignore)
    weight = np.random.default_rng(3).uniform(0.5, 2.0, shape[1] if len(shape) > 1 else shape[0])
    weight = weight.astype(np.float32)
    kwargs = {"reduction": reduction, "label_smoothing": smoothing, "ignore_index": ignore or -100}
    check_op([shape], lambda z: tf.cross_entropy(z, torch.from_numpy(labels),
                                                 torch.from_numpy(weight), **kwargs),
             lambda z: F.cross_entropy(z, labels, weight, **kwargs), low=-3.0, high=3.0)
    check_op([shape], lambda z: tf.nll_loss(z, torch.from_numpy(labels), torch.from_numpy(weight),
                                            reduction=reduction, ignore_index=ignore or -100),
             lambda z: F.nll_loss(z, labels, weight, reduction=reduction,
                                  ignore_index=ignore or -100))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets_with_class_weights(reduction):
    weight = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    check_op([(3, 4), (3, 4)],
             lambda z, t: tf.cross_entropy(z, t.softmax(1), torch.from_numpy(weight),
                                           reduction=reduction, label_smoothing=0.1),
             lambda z, t: F.cross_entropy(z, F.softmax(t, axis=1), weight, reduction=reduction,
                                          label_smoothing=0.1))


@pytest.mark.parametrize("shape", [(6, 5), (3, 5, 2), (5,)], ids=str)
def test_the_fused_primitive_equals_its_numpy_composition(shape):
    z = cr.randn(*shape, generator=0, dtype=np.float64, requires_grad=True)
    labels = _labels(shape, 4)
    fused = cr.autograd.ops.SoftmaxCrossEntropy.apply(z, cr.tensor(labels), reduction="sum")
    composed = F.nll_loss(F.log_softmax(z, axis=1 if len(shape) > 1 else 0), labels,
                          reduction="sum")
    np.testing.assert_allclose(fused.item(), composed.item(), rtol=1e-12)
    g_fused = cr.grad(fused, [z])[0]
    np.testing.assert_allclose(g_fused.data, cr.grad(composed, [z])[0].data, atol=1e-12)


@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probability_targets(shape, reduction, smoothing):
    axis = 1 if len(shape) > 1 else 0

    def theirs(z, t):
        return tf.cross_entropy(z, t.softmax(axis), reduction=reduction,
                                label_smoothing=smoothing)

    def ours(z, t):
        return F.cross_entropy(z, F.softmax(t, axis=axis), reduction=reduction,
                               label_smoothing=smoothing)

    check_op([shape, shape], theirs, ours, low=-3.0, high=3.0)


def test_cross_entropy_with_a_tensor_of_labels_and_a_list():
    labels = np.array([2, 0, 1])
    check_op([(3, 4)], lambda z: tf.cross_entropy(z, torch.from_numpy(labels)),
             lambda z: F.cross_entropy(z, cr.tensor(labels)))
    check_op([(3, 4)], lambda z: tf.cross_entropy(z, torch.from_numpy(labels)),
             lambda z: F.cross_entropy(z, [2, 0, 1]))


def test_cross_entropy_is_stable_for_huge_logits():
    z = cr.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, [1])
    loss.backward()
    np.testing.assert_allclose(loss.item(), 2e4, rtol=1e-6)
    np.testing.assert_allclose(z.grad, [[1.0, -1.0, 0.0]], atol=1e-6)


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    pytest.importorskip("torch")
    expected = tf.cross_entropy(torch.zeros(2, 3), torch.tensor([-100, -100]))
    ours = F.cross_entropy(cr.zeros(2, 3), [-100, -100])
    assert np.isnan(ours.item()) and torch.isnan(expected)


@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", [None, 0])
def test_nll_loss(shape, reduction, ignore):
    labels = _labels(shape, 1, ignore)
    kwargs = {"reduction": reduction} | ({} if ignore is None else {"ignore_index": ignore})
    check_op([shape], lambda z: tf.nll_loss(z, torch.from_numpy(labels), **kwargs),
             lambda z: F.nll_loss(z, labels, **kwargs))


def test_nll_of_log_softmax_equals_cross_entropy():
    z = cr.randn(5, 4, generator=0)
    labels = np.array([0, 3, 1, 1, 2])
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(z, axis=1), labels).item(),
                               F.cross_entropy(z, labels).item(), rtol=1e-6)


# ************************************************************* errors

def test_loss_errors_name_the_problem():
    z = cr.ones(3, 4)
    with pytest.raises(ValueError, match=r"reduction must be one of .* got 'avg'"):
        F.mse_loss(z, z, reduction="avg")
    with pytest.raises(ValueError, match=r"target shape \(3,\) does not match input shape"):
        F.mse_loss(z, cr.ones(3))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got \[4, -1\]"):
        F.cross_entropy(z, [4, 0, -1])
    with pytest.raises(ValueError, match=r"labels of shape \(2,\) do not fit input of shape"):
        F.cross_entropy(z, [1, 2])
    with pytest.raises(ValueError, match=r"probability targets of shape \(3, 5\) must match"):
        F.cross_entropy(z, np.ones((3, 5)))
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        F.cross_entropy(z, [0, 1, 2], label_smoothing=1.5)
    with pytest.raises(TypeError, match="class labels must be integers"):
        F.nll_loss(z, np.array([0.5, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"input must hold probabilities in \[0, 1\]"):
        F.binary_cross_entropy(cr.tensor([1.5]), [1.0])
    with pytest.raises(ValueError, match="0-d"):
        F.cross_entropy(cr.tensor(1.0), 0)
