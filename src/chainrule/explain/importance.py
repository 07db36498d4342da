"""Permutation feature importance (the deck's "better way" than impurity importance).

Importance of feature j = score(model, X, y) - score(model, X with column j permuted, y),
repeated ``n_repeats`` times with fresh permutations; we report the mean and the standard
deviation over repeats. Computed on held-out data, it measures how much the *trained* model
relies on the feature. Correlated features share their importance: with a copy of feature j
in the data, permuting j alone leaves the model its copy, so each looks less important than
the pair (the deck's caveat; the tests show it).

The permutations and scoring are scikit-learn's ``sklearn.inspection.permutation_importance``.
Grouped permutation (the one-hot columns of one categorical feature, moved together as one
column) reuses it: each group with several columns becomes one column of row indices, and
the estimator seen by scikit-learn expands the indices back into the group's rows, so
permuting that column permutes the group's rows jointly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from chainrule.explain.model import as_estimator, feature_names_of, is_classifier


@dataclass
class Importance:
    """Result of :func:`permutation_importance`.

    Attributes:
        names: the features (or groups), in input order.
        mean: mean drop in score per feature over the repeats.
        std: standard deviation of the drop over the repeats.
        raw: (n_features, n_repeats) drops.
        baseline: the unpermuted score.
        scoring: the score's name.
    """

    names: list[str]
    mean: np.ndarray
    std: np.ndarray
    raw: np.ndarray
    baseline: float
    scoring: str

    def ranking(self) -> list[str]:
        """Feature names from most to least important."""
        return [self.names[i] for i in np.argsort(-self.mean, kind="stable")]

    def to_dict(self) -> dict[str, Any]:
        """JSON values: ``{"scoring", "baseline", "features": [{"name", "mean", "std"}]}``
        sorted by decreasing mean."""
        order = np.argsort(-self.mean, kind="stable")
        return {"scoring": self.scoring, "baseline": float(self.baseline),
                "features": [{"name": self.names[i], "mean": float(self.mean[i]),
                              "std": float(self.std[i])} for i in order]}


class _GroupedEstimator(BaseEstimator):
    """Sees one column per group; a multi-column group's column holds row indices into the
    group's original block, which ``_expand`` gathers back before predicting."""

    def __init__(self, estimator: Any = None, groups: Sequence[Sequence[int]] = (),
                 blocks: Any = None, width: int = 0):
        self.estimator, self.groups, self.blocks, self.width = estimator, groups, blocks, width

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def fit(self, X: Any, y: Any = None) -> _GroupedEstimator:
        """Nothing to fit: the wrapped estimator is trained."""
        return self

    def __sklearn_tags__(self) -> Any:
        return self.estimator.__sklearn_tags__()

    @property
    def classes_(self) -> Any:
        return self.estimator.classes_

    def _expand(self, compact: np.ndarray) -> np.ndarray:
        full = np.empty((len(compact), self.width), dtype=np.float64)
        for k, cols in enumerate(self.groups):
            if len(cols) == 1:
                full[:, cols[0]] = compact[:, k]
            else:
                full[:, cols] = self.blocks[k][compact[:, k].astype(np.int64)]
        return full

    def predict(self, X: Any) -> np.ndarray:
        return self.estimator.predict(self._expand(np.asarray(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.estimator.predict_proba(self._expand(np.asarray(X)))

    def decision_function(self, X: Any) -> np.ndarray:
        return self.estimator.decision_function(self._expand(np.asarray(X)))


def _grouped(estimator: Any, X: np.ndarray, groups: dict[str, Sequence[int]]
             ) -> tuple[Any, np.ndarray]:
    cols = [list(c) for c in groups.values()]
    covered = sorted(i for c in cols for i in c)
    if covered != list(range(X.shape[1])):
        raise ValueError(f"groups must cover every column of X exactly once; they cover "
                         f"{covered} of {X.shape[1]} columns")
    blocks = {k: X[:, c] for k, c in enumerate(cols) if len(c) > 1}
    compact = np.stack([X[:, c[0]] if len(c) == 1 else np.arange(len(X), dtype=np.float64)
                        for c in cols], axis=1)
    return _GroupedEstimator(estimator, cols, blocks, X.shape[1]), compact


def permutation_importance(model: Any, X: Any, y: Any, *, n_repeats: int = 10,
                           scoring: str | None = None,
                           groups: dict[str, Sequence[int]] | None = None,
                           feature_names: Sequence[str] | None = None,
                           random_state: int = 0, n_jobs: int | None = None,
                           task: str | None = None, preprocess: Any = None) -> Importance:
    """Permutation importance of each feature (or group of columns) on held-out ``X``, ``y``.

    Args:
        model: a trained chainrule model (wrapped by :func:`~chainrule.explain.as_estimator`)
            or any fitted estimator.
        X: held-out inputs (n_samples, n_features); raw, when ``preprocess`` is given.
        y: their labels or targets.
        n_repeats: permutations per feature. Defaults to ``10``.
        scoring: a scikit-learn scorer name; ``None`` uses ``"accuracy"`` for classifiers
            and ``"r2"`` for regressors.
        groups: ``{name: [column indices]}`` permuted together (e.g. a table's
            ``schema.groups``); they must cover every column once. Defaults to one per column.
        feature_names: names of X's columns. Defaults to a DataFrame's columns or ``x0..``.
        random_state: seed of the permutations. Defaults to ``0``.
        n_jobs: scikit-learn's parallel jobs over features. Defaults to ``None`` (one).
        task, preprocess: see :func:`~chainrule.explain.as_estimator`.

    Returns:
        an :class:`Importance` (drop in score: positive = the model needs the feature).
    """
    from sklearn.inspection import permutation_importance as sk_permutation_importance

    estimator = as_estimator(model, task=task, preprocess=preprocess)
    names = feature_names_of(X, feature_names)
    x = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(len(y), -1)[:, 0] if np.ndim(y) > 1 else np.asarray(y)
    if scoring is None:
        scoring = "accuracy" if is_classifier(estimator) else "r2"
    if groups is not None:
        estimator, x = _grouped(estimator, x, groups)
        names = list(groups)
    result = sk_permutation_importance(estimator, x, y, scoring=scoring, n_repeats=n_repeats,
                                       random_state=random_state, n_jobs=n_jobs)
    from sklearn.metrics import get_scorer

    baseline = float(get_scorer(scoring)(estimator, x, y))
    return Importance(names, result.importances_mean, result.importances_std,
                      result.importances, baseline, scoring)
