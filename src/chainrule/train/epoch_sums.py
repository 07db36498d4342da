"""Epoch metrics from streaming sums, so data-parallel ranks can add theirs up.

Each metric is a vector of sums over batches and a function of the summed
vector: the sums of two halves of the data add up to the sums of the whole,
so a data-parallel run all-reduces one float64 vector per epoch
(``Trainer.reduce_sums``) and every rank gets the metrics of all the data.

=================  ============================================  =========================
metric             sums per batch                                value
=================  ============================================  =========================
loss               ``[sum_i loss * n_batch, n]``                 ``sum / n``
accuracy, top-k    ``[hits, n]``                                 ``hits / n``
precision/recall   confusion counts ``C x C`` (flattened)        from the confusion matrix
/f1
log_loss           ``[sum_i -log p_i(y_i), n]``                  ``sum / n``
mse / mae          ``[sum (y - p)^2 or |y - p|, entries]``       ``sum / entries``
r2                 ``[SS_res, n, sum y (k), sum y^2 (k)]``       ``1 - SS_res / SS_tot``
=================  ============================================  =========================

``SS_tot = sum_k (sum y^2 - (sum y)^2 / n)`` in float64. Any object with
``sums(y_true, y_pred) -> ndarray`` and ``value(sums) -> float`` is a
streaming metric too; a plain function ``f(y_true, y_pred)`` is computed on
the outputs collected on this process (not reduced across ranks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.train import metrics as M


class Hits:
    """Accuracy (``k=None``) or top-k accuracy: ``[correct, n]``."""

    def __init__(self, k: int | None = None):
        self.k = k

    def sums(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        if self.k is None:
            hits = M.predicted_labels(y_pred) == M.true_labels(y_true)
        else:
            hits = M.top_k_hits(y_true, y_pred, self.k)
        return np.array([np.count_nonzero(hits), len(hits)], dtype=np.float64)

    def value(self, sums: np.ndarray) -> float:
        return float(sums[0] / sums[1])


class Confusion:
    """Precision, recall or F1 (macro) from the summed confusion counts."""

    def __init__(self, which: int):
        self.which = which  # 0 precision, 1 recall, 2 F1

    def sums(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y_pred = np.asarray(y_pred)
        width = y_pred.shape[1] if y_pred.ndim == 2 else 1
        cm = M.confusion_matrix(y_true, y_pred, num_classes=max(width, 2))
        return cm.reshape(-1).astype(np.float64)

    def value(self, sums: np.ndarray) -> float:
        n = int(round(np.sqrt(len(sums))))
        return M.scores_from_confusion(sums.reshape(n, n))[self.which]


class Errors:
    """Mean squared (``power=2``) or absolute (``power=1``) error: ``[sum |y - p|^power,
    entries]``."""

    def __init__(self, power: int):
        self.power = power

    def sums(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = np.asarray(y_true, dtype=np.float64)
        d = np.asarray(y_pred, dtype=np.float64).reshape(y.shape) - y
        total = np.sum(d * d) if self.power == 2 else np.sum(np.abs(d))
        return np.array([total, d.size], dtype=np.float64)

    def value(self, sums: np.ndarray) -> float:
        return float(sums[0] / sums[1])


class LogLoss:
    """Mean negative log-likelihood of the true class: ``[sum -log p, n]``."""

    def sums(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.array([M.log_loss(y_true, y_pred) * len(y_true), len(y_true)])

    def value(self, sums: np.ndarray) -> float:
        return float(sums[0] / sums[1])


class R2:
    """Coefficient of determination from ``[SS_res, n, sum y, sum y^2]`` (per target column)."""

    def sums(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        y = np.asarray(y_true, dtype=np.float64)
        y2 = y.reshape(len(y), -1)
        res = np.asarray(y_pred, dtype=np.float64).reshape(y.shape) - y
        return np.concatenate([[np.sum(res * res), len(y)], y2.sum(axis=0),
                               (y2 * y2).sum(axis=0)])

    def value(self, sums: np.ndarray) -> float:
        ss_res, n = sums[0], sums[1]
        k = (len(sums) - 2) // 2
        total, squares = sums[2:2 + k], sums[2 + k:]
        ss_tot = float(np.sum(squares - total * total / n))
        return float(1 - ss_res / ss_tot) if ss_tot > 0 else 0.0


STREAMING: dict[str, Callable[[], Any]] = {
    "accuracy": Hits, "precision": lambda: Confusion(0), "recall": lambda: Confusion(1),
    "f1": lambda: Confusion(2), "log_loss": LogLoss, "mse": lambda: Errors(2),
    "mae": lambda: Errors(1), "r2": R2,
}


def streaming(name: str, fn: M.Metric) -> Any | None:
    """The streaming form of metric ``name``/``fn``, or ``None`` for a plain function."""
    if hasattr(fn, "sums") and hasattr(fn, "value"):
        return fn
    if fn is M.METRICS.get(name) and name in STREAMING:
        return STREAMING[name]()
    if name.startswith("top") and name.endswith("_accuracy") and name[3:-9].isdigit():
        return Hits(int(name[3:-9]))
    return None


class EpochSums:
    """The loss and metric sums of one epoch (or one evaluation), batch by batch.

    Args:
        metrics: ``(name, metric)`` pairs as :func:`chainrule.train.metrics.get_metric` makes.
    """

    def __init__(self, metrics: list[tuple[str, M.Metric]]):
        self.metrics = [(name, fn, streaming(name, fn)) for name, fn in metrics]
        self.reset()

    def reset(self) -> None:
        self.loss_sum, self.count = 0.0, 0
        self.sums: list[np.ndarray] | None = None
        self.outputs: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def add(self, loss: float, n: int, output: np.ndarray, target: np.ndarray) -> None:
        """Add one batch: its mean ``loss`` over ``n`` samples, outputs and targets."""
        self.loss_sum += loss * n
        self.count += n
        if not self.metrics:
            return
        batch = [s.sums(target, output) for _, _, s in self.metrics if s is not None]
        if self.sums is None:
            self.sums = batch
        else:
            for total, part in zip(self.sums, batch, strict=True):
                total += part
        if any(s is None for _, _, s in self.metrics):
            self.outputs.append(output)
            self.targets.append(target)

    def vector(self) -> np.ndarray:
        """``[loss_sum, count, metric sums...]`` as one float64 vector."""
        return np.concatenate([[self.loss_sum, self.count], *(self.sums or [])])

    def logs(self, reduce_sums: Callable[[np.ndarray], np.ndarray] | None = None
             ) -> dict[str, float]:
        """``{"loss": mean loss, <metric>: value}``; ``reduce_sums`` first combines the
        vector of sums (e.g. across data-parallel ranks)."""
        vec = self.vector()
        if reduce_sums is not None:
            vec = np.asarray(reduce_sums(vec), dtype=np.float64)
        logs = {"loss": float(vec[0] / max(vec[1], 1))}
        if self.sums is None and not self.outputs:
            return logs
        offset = 2
        parts = iter(self.sums or [])
        for name, fn, s in self.metrics:
            if s is None:
                logs[name] = fn(np.concatenate(self.targets), np.concatenate(self.outputs))
                continue
            size = len(next(parts))
            logs[name] = s.value(vec[offset:offset + size])
            offset += size
        return logs

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"loss_sum": self.loss_sum, "count": self.count}
        if self.sums is not None:
            state["sums"] = list(self.sums)
        if self.outputs:
            state["outputs"] = np.concatenate(self.outputs)
            state["targets"] = np.concatenate(self.targets)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.reset()
        self.loss_sum, self.count = state["loss_sum"], state["count"]
        if "sums" in state:
            self.sums = [np.array(s, dtype=np.float64) for s in state["sums"]]
        if "outputs" in state:
            self.outputs, self.targets = [state["outputs"]], [state["targets"]]
