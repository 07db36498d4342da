import numpy as np
import pytest
from sklearn import metrics as skm

from chainrule.train import metrics as M


@pytest.fixture
def classification():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    scores = rng.standard_normal((200, 4)).astype(np.float32)
    scores[np.arange(200), y] += 1.0  # better than chance
    return y, scores


def test_classification_metrics_match_scikit_learn(classification):
    y, scores = classification
    pred = scores.argmax(1)
    assert M.accuracy(y, scores) == pytest.approx(skm.accuracy_score(y, pred))
    assert M.precision(y, scores) == pytest.approx(skm.precision_score(y, pred, average="macro"))
    assert M.recall(y, scores) == pytest.approx(skm.recall_score(y, pred, average="macro"))
    assert M.f1(y, scores) == pytest.approx(skm.f1_score(y, pred, average="macro"))
    p, r, f = M.precision_recall_f1(y, pred, average="micro")
    assert f == pytest.approx(skm.f1_score(y, pred, average="micro"))
    np.testing.assert_array_equal(M.confusion_matrix(y, scores), skm.confusion_matrix(y, pred))
    prob = np.exp(scores - scores.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    assert M.log_loss(y, scores) == pytest.approx(skm.log_loss(y, prob), rel=1e-5)
    assert M.log_loss(y, prob) == pytest.approx(skm.log_loss(y, prob), rel=1e-5)
    assert M.top_k_accuracy(y, scores, k=2) == pytest.approx(
        skm.top_k_accuracy_score(y, scores, k=2))


def test_binary_logits_and_labels():
    y = np.array([0, 1, 1, 0, 1])
    logits = np.array([[-2.0], [0.5], [-0.1], [-1.0], [3.0]])
    assert M.accuracy(y, logits) == pytest.approx(0.8)
    assert M.precision_recall_f1(y, logits, average="binary")[0] == pytest.approx(
        skm.precision_score(y, (logits[:, 0] > 0).astype(int)))
    assert M.accuracy(y, np.array([0, 1, 1, 0, 0])) == pytest.approx(0.8)


def test_regression_metrics_match_scikit_learn():
    rng = np.random.default_rng(1)
    y = rng.standard_normal(100)
    pred = (y + 0.3 * rng.standard_normal(100)).astype(np.float32)
    assert M.mse(y, pred) == pytest.approx(skm.mean_squared_error(y, pred), rel=1e-6)
    assert M.mae(y, pred) == pytest.approx(skm.mean_absolute_error(y, pred), rel=1e-6)
    assert M.r2(y, pred[:, None]) == pytest.approx(skm.r2_score(y, pred), rel=1e-6)


def test_metric_errors_name_the_problem():
    with pytest.raises(ValueError, match="3 targets but 2 predictions"):
        M.accuracy(np.array([0, 1, 1]), np.array([0, 1]))
    with pytest.raises(ValueError, match="no samples"):
        M.accuracy(np.array([]), np.array([]))
    with pytest.raises(ValueError, match="unknown metric 'acc'"):
        M.get_metric("acc")
    assert M.get_metric("top3_accuracy")[0] == "top3_accuracy"
