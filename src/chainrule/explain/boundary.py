"""Decision-boundary grids: the joint effect of two features, as the deck draws it.

A regular grid over two features (their range plus ``padding`` on each side); every other
feature is held at its mean ("at the means"), and the model predicts every grid point in one
batch. For a classifier the grid holds P(class ``target``) and the predicted class; for a
regressor the prediction (and ``labels`` is None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.explain.dependence import typical_row
from chainrule.explain.model import as_estimator, is_classifier, positive_proba


@dataclass
class BoundaryGrid:
    """Result of :func:`decision_boundary`: grid axes ``xs`` (R1,), ``ys`` (R2,), ``values``
    (R2, R1) (probability or prediction), ``labels`` (R2, R1) predicted classes and ``proba``
    (R2, R1, K) every class's probability (both None for a regressor), and the two
    ``features`` (column indices)."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    labels: np.ndarray | None
    proba: np.ndarray | None
    features: tuple[int, int]


def decision_boundary(model: Any, X: Any, features: tuple[int, int] = (0, 1), *,
                      resolution: int = 200, padding: float = 0.1, target: int | None = None,
                      groups: dict[str, Any] | None = None, task: str | None = None,
                      preprocess: Any = None) -> BoundaryGrid:
    """Predict a ``resolution`` x ``resolution`` grid over two features of ``X``.

    Args:
        model: a trained chainrule model or a fitted estimator.
        X: the data (n, d), d >= 2; the grid spans its two ``features`` and the other
            columns are held at their means (one-hot groups at their most common category).
        features: the two column indices. Defaults to ``(0, 1)``.
        resolution: grid points per axis. Defaults to ``200``.
        padding: margin added on each side, as a fraction of each feature's range.
            Defaults to ``0.1``.
        target: the class whose probability is returned. Defaults to the last class.
        groups, task, preprocess: see :func:`~chainrule.explain.partial_dependence`.
    """
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"decision_boundary needs (n, d >= 2) data, got shape {x.shape}")
    i, j = features
    if i == j or not (0 <= i < x.shape[1] and 0 <= j < x.shape[1]):
        raise ValueError(f"features must be two different columns of {x.shape[1]}, got {features}")
    estimator = as_estimator(model, task=task, preprocess=preprocess)
    axes = []
    for col in (i, j):
        lo, hi = x[:, col].min(), x[:, col].max()
        margin = padding * (hi - lo if hi > lo else 1.0)
        axes.append(np.linspace(lo - margin, hi + margin, resolution))
    gx, gy = np.meshgrid(axes[0], axes[1])
    rows = np.repeat(typical_row(x, groups)[None, :], gx.size, axis=0)
    rows[:, i], rows[:, j] = gx.reshape(-1), gy.reshape(-1)
    if not is_classifier(estimator):
        values = positive_proba(estimator, rows, target).reshape(gx.shape)
        return BoundaryGrid(axes[0], axes[1], values, None, None, (int(i), int(j)))
    proba = np.asarray(estimator.predict_proba(rows), dtype=np.float64)
    labels = np.asarray(estimator.classes_)[proba.argmax(axis=1)].reshape(gx.shape)
    proba = proba.reshape(gx.shape + (proba.shape[1],))
    values = proba[..., -1 if target is None else target]
    return BoundaryGrid(axes[0], axes[1], values, labels, proba, (int(i), int(j)))
