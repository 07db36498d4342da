"""Epoch metrics from streaming sums: halves reduced = the whole, and = the plain metrics."""

import numpy as np
import pytest

from chainrule.train import metrics as M
from chainrule.train.epoch_sums import EpochSums


def _data(kind, n=90, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "classes":
        return rng.integers(0, 4, n), rng.normal(size=(n, 4))
    if kind == "binary":
        return rng.integers(0, 2, n), rng.normal(size=(n, 1))
    y = rng.normal(3.0, 2.0, size=(n, 2))
    return y, y + rng.normal(size=(n, 2)) * 0.5


CASES = [("classes", ["accuracy", "top2_accuracy", "precision", "recall", "f1", "log_loss"]),
         ("binary", ["accuracy", "f1", "log_loss"]),
         ("regression", ["mse", "mae", "r2"])]


@pytest.mark.parametrize("kind, names", CASES)
def test_batches_give_the_plain_metrics_of_all_the_data(kind, names):
    y, out = _data(kind)
    sums = EpochSums([M.get_metric(n) for n in names])
    for lo in range(0, len(y), 32):  # uneven last batch
        sums.add(0.5, len(y[lo:lo + 32]), out[lo:lo + 32], y[lo:lo + 32])
    logs = sums.logs()
    assert logs["loss"] == pytest.approx(0.5)
    for name, fn in (M.get_metric(n) for n in names):
        assert logs[name] == pytest.approx(fn(y, out), rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("kind, names", CASES)
def test_two_ranks_reduced_equal_one_process(kind, names):
    y, out = _data(kind)
    metrics = [M.get_metric(n) for n in names]
    whole, a, b = EpochSums(metrics), EpochSums(metrics), EpochSums(metrics)
    whole.add(1.0, len(y), out, y)
    a.add(2.0, 50, out[:50], y[:50])
    b.add(0.0, 40, out[50:], y[50:])
    reduced = a.logs(reduce_sums=lambda v: v + b.vector())
    for key, value in whole.logs().items():
        expected = (2.0 * 50) / 90 if key == "loss" else value
        assert reduced[key] == pytest.approx(expected, rel=1e-9, abs=1e-12), key


def test_soft_targets_count_as_their_argmax_label():
    y, out = _data("classes")
    soft = np.eye(4)[y] * 0.7 + 0.3 / 4  # label smoothing / mixup style rows
    sums = EpochSums([M.get_metric("accuracy"), M.get_metric("f1")])
    sums.add(0.0, len(y), out, soft)
    assert sums.logs()["accuracy"] == pytest.approx(M.accuracy(y, out))
    assert sums.logs()["f1"] == pytest.approx(M.f1(y, out))


def test_plain_functions_are_computed_on_collected_outputs_and_survive_a_resume():
    y, out = _data("classes")

    def share_of_class_0(y_true, y_pred):
        return float(np.mean(y_true == 0))

    sums = EpochSums([("share", share_of_class_0), M.get_metric("accuracy")])
    sums.add(1.0, 45, out[:45], y[:45])
    restored = EpochSums([("share", share_of_class_0), M.get_metric("accuracy")])
    restored.load_state_dict(sums.state_dict())
    restored.add(1.0, 45, out[45:], y[45:])
    assert restored.logs()["share"] == pytest.approx(np.mean(y == 0))
    assert restored.logs()["accuracy"] == pytest.approx(M.accuracy(y, out))


def test_labels_outside_the_model_outputs_are_named():
    sums = EpochSums([M.get_metric("f1")])
    with pytest.raises(ValueError, match="label 7 is outside the 4 classes"):
        sums.add(0.0, 3, np.zeros((3, 4)), np.array([0, 7, 1]))
