"""Metrics on NumPy arrays: classification (from logits or labels) and regression.

Every metric takes ``(y_true, y_pred)``: integer labels (or soft targets,
one probability row per sample as Mixup makes them: their argmax is the
label) and either predicted labels or per-class scores (logits or
probabilities, classes on axis 1) for classification; real targets and
predictions for regression. Names follow scikit-learn; the trainer looks them
up by name with :func:`get_metric` and computes them from streaming sums
(:mod:`chainrule.train.epoch_sums`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Metric = Callable[[np.ndarray, np.ndarray], float]


def predicted_labels(y_pred: np.ndarray) -> np.ndarray:
    """Predicted labels from scores (argmax over axis 1), a single logit (> 0), or labels."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim >= 2 and y_pred.shape[1] > 1:
        return y_pred.argmax(axis=1)
    if y_pred.dtype.kind == "f":
        # one score per sample: a logit of the positive class
        return (y_pred.reshape(len(y_pred), -1)[:, 0] > 0).astype(np.int64)
    return y_pred.reshape(len(y_pred))


def true_labels(y_true: np.ndarray) -> np.ndarray:
    """Integer labels from labels, or from soft targets ``(N, C)`` (their argmax)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        return y_true.argmax(axis=1)
    return y_true.reshape(len(y_true)).astype(np.int64, copy=False)


def _check(y_true: np.ndarray, y_pred: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        raise ValueError(f"{name}: no samples")
    if len(y_true) != len(y_pred):
        raise ValueError(f"{name}: {len(y_true)} targets but {len(y_pred)} predictions")
    return y_true, y_pred


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of samples whose predicted label equals the true label."""
    y_true, y_pred = _check(y_true, y_pred, "accuracy")
    return float(np.mean(predicted_labels(y_pred) == true_labels(y_true)))


def top_k_accuracy(y_true: np.ndarray, scores: np.ndarray, k: int = 5) -> float:
    """Fraction of samples whose true label is among the ``k`` highest scores. Defaults: k=5."""
    return float(np.mean(top_k_hits(y_true, scores, k)))


def top_k_hits(y_true: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Per sample, whether its true label is among the ``k`` highest scores."""
    y_true, scores = _check(y_true, scores, "top_k_accuracy")
    if scores.ndim != 2:
        raise ValueError(f"top_k_accuracy needs scores of shape (N, C), got {scores.shape}")
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return (top == true_labels(y_true)[:, None]).any(axis=1)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray,
                     num_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of samples of true class i predicted as class j."""
    y_true, y_pred = _check(y_true, y_pred, "confusion_matrix")
    true, pred = true_labels(y_true), predicted_labels(y_pred)
    n = num_classes or int(max(true.max(), pred.max()) + 1)
    if num_classes is None and y_pred.ndim == 2 and y_pred.shape[1] > 1:
        n = max(n, y_pred.shape[1])
    bad = (true < 0) | (true >= n)
    if bad.any():
        raise ValueError(f"confusion_matrix: label {int(true[bad][0])} is outside the "
                         f"{n} classes 0..{n - 1}")
    return np.bincount(true * n + pred, minlength=n * n).reshape(n, n)


def precision_recall_f1(y_true: np.ndarray, y_pred: np.ndarray,
                        average: str = "macro") -> tuple[float, float, float]:
    """Precision TP/(TP+FP), recall TP/(TP+FN) and F1 = 2PR/(P+R).

    ``average='macro'`` averages per-class scores (classes absent from both
    truth and prediction are skipped), ``'micro'`` pools the counts, and
    ``'binary'`` reports class 1. A 0/0 ratio counts as 0, as in scikit-learn.
    Defaults: average='macro'.
    """
    return scores_from_confusion(confusion_matrix(y_true, y_pred), average)


def scores_from_confusion(cm: np.ndarray, average: str = "macro") -> tuple[float, float, float]:
    """(precision, recall, F1) of a confusion matrix, as :func:`precision_recall_f1`."""
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    pred_pos, true_pos = cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        tp, pred_pos, true_pos = tp.sum(), pred_pos.sum(), true_pos.sum()
    elif average == "binary":
        if len(cm) > 2:
            raise ValueError(f"average='binary' needs 2 classes, got {len(cm)}")
        tp, pred_pos, true_pos = tp[-1], pred_pos[-1], true_pos[-1]
    elif average != "macro":
        raise ValueError(f"average must be 'macro', 'micro' or 'binary', got {average!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.nan_to_num(tp / pred_pos)
        r = np.nan_to_num(tp / true_pos)
        f = np.nan_to_num(2 * p * r / (p + r))
    if average == "macro":
        present = (pred_pos + true_pos) > 0
        p, r, f = p[present].mean(), r[present].mean(), f[present].mean()
    return float(p), float(r), float(f)


def precision(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro-averaged precision."""
    return precision_recall_f1(y_true, y_pred)[0]


def recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro-averaged recall."""
    return precision_recall_f1(y_true, y_pred)[1]


def f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro-averaged F1."""
    return precision_recall_f1(y_true, y_pred)[2]


def log_loss(y_true: np.ndarray, scores: np.ndarray, eps: float = 1e-15) -> float:
    """Mean -log p(true class); ``scores`` are logits (softmaxed here) or probabilities.

    Rows that already sum to 1 with entries in [0, 1] are taken as probabilities.
    A single column is a binary logit. Probabilities are clipped to [eps, 1 - eps].
    """
    y_true, scores = _check(y_true, scores, "log_loss")
    s = scores.astype(np.float64).reshape(len(scores), -1)
    if s.shape[1] == 1:
        p1 = 1 / (1 + np.exp(-s[:, 0]))
        s = np.stack([1 - p1, p1], axis=1)
    elif not (np.all((s >= 0) & (s <= 1)) and np.allclose(s.sum(axis=1), 1, atol=1e-4)):
        s = np.exp(s - s.max(axis=1, keepdims=True))
        s /= s.sum(axis=1, keepdims=True)
    if y_true.ndim == 2 and y_true.shape == s.shape:  # soft targets: cross-entropy
        return float(-(y_true * np.log(np.clip(s, eps, 1 - eps))).sum(axis=1).mean())
    p = np.clip(s[np.arange(len(s)), true_labels(y_true)], eps, 1 - eps)
    return float(-np.log(p).mean())


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error."""
    y_true, y_pred = _check(y_true, y_pred, "mse")
    diff = y_pred.astype(np.float64).reshape(y_true.shape) - y_true
    return float(np.mean(diff * diff))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    y_true, y_pred = _check(y_true, y_pred, "mae")
    return float(np.mean(np.abs(y_pred.astype(np.float64).reshape(y_true.shape) - y_true)))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (0 when the target is constant)."""
    y_true, y_pred = _check(y_true, y_pred, "r2")
    y = y_true.astype(np.float64)
    ss_res = np.sum((y_pred.astype(np.float64).reshape(y.shape) - y) ** 2)
    ss_tot = np.sum((y - y.mean(axis=0)) ** 2)
    return float(1 - ss_res / ss_tot) if ss_tot > 0 else 0.0


METRICS: dict[str, Metric] = {
    "accuracy": accuracy, "top5_accuracy": top_k_accuracy, "precision": precision,
    "recall": recall, "f1": f1, "log_loss": log_loss, "mse": mse, "mae": mae, "r2": r2,
}

# Whether a larger value is better, for EarlyStopping(mode="auto") and best checkpoints.
GREATER_IS_BETTER = {"accuracy": True, "top5_accuracy": True, "precision": True,
                     "recall": True, "f1": True, "r2": True, "log_loss": False, "mse": False,
                     "mae": False, "loss": False}


def get_metric(name: str | Metric) -> tuple[str, Metric]:
    """Resolve a metric name (or ``top<k>_accuracy``) or pass a callable through."""
    if callable(name):
        return getattr(name, "__name__", "metric"), name
    if name in METRICS:
        return name, METRICS[name]
    if name.startswith("top") and name.endswith("_accuracy") and name[3:-9].isdigit():
        k = int(name[3:-9])
        return name, lambda y, s: top_k_accuracy(y, s, k=k)
    raise ValueError(f"unknown metric {name!r}; choose from {sorted(METRICS)} or top<k>_accuracy")
