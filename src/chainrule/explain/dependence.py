"""Partial dependence: how the prediction moves with one (or two) features.

Three kinds, for feature j on a grid of values v:

- ``"means"`` (the deck's): one typical row, every other feature at its mean (a categorical
  group at its most common category), with x_j = v: f(v, x_mean).
- ``"average"`` (scikit-learn's): the mean over the data of f(v, x_i,-j), i.e. set x_j = v in
  every row and average the predictions.
- ``"individual"`` (ICE): the curves f(v, x_i,-j), one per row; their mean is "average".

The response is P(class ``target``) for a classifier (default the last class, the positive
one of a binary problem) and the prediction for a regressor. "average" and "individual" call
``sklearn.inspection.partial_dependence`` (brute method); "means" and two-feature "means"
predict one batch of grid rows. The grid spans the ``percentiles`` of the feature (scikit-
learn's default 5%-95%), or the feature's distinct values when there are fewer than
``grid_resolution`` of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.explain.model import as_estimator, feature_names_of, positive_proba

KINDS = ("means", "average", "individual")


@dataclass
class Dependence:
    """Result of :func:`partial_dependence`.

    Attributes:
        feature: the feature's name (two names joined by " x " for two features).
        kind: ``"means"``, ``"average"`` or ``"individual"``.
        grid: the grid values, or a pair of grids for two features.
        values: (G,) for "means"/"average", (n_samples, G) for "individual", (G1, G2) for two.
    """

    feature: str
    kind: str
    grid: np.ndarray | tuple[np.ndarray, np.ndarray]
    values: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON values: ``{"feature", "kind", "grid", "values"}`` (lists)."""
        grid = [g.tolist() for g in self.grid] if isinstance(self.grid, tuple) else \
            self.grid.tolist()
        return {"feature": self.feature, "kind": self.kind, "grid": grid,
                "values": self.values.tolist()}


def _grid(column: np.ndarray, resolution: int, percentiles: tuple[float, float]) -> np.ndarray:
    distinct = np.unique(column)
    if len(distinct) < resolution:
        return distinct.astype(np.float64)
    lo, hi = np.percentile(column, [100 * percentiles[0], 100 * percentiles[1]])
    if lo == hi:
        return distinct.astype(np.float64)
    return np.linspace(lo, hi, resolution)


def typical_row(X: np.ndarray, groups: dict[str, Sequence[int]] | None = None) -> np.ndarray:
    """The "at the means" row: column means, and for each multi-column group (one-hot
    categories) its most common category set to 1 and the others to 0."""
    row = X.mean(axis=0)
    for cols in (groups or {}).values():
        if len(cols) > 1:
            mode = np.bincount(np.argmax(X[:, cols], axis=1), minlength=len(cols)).argmax()
            row[list(cols)] = 0.0
            row[cols[mode]] = 1.0
    return row


def _at_means(estimator: Any, X: np.ndarray, features: Sequence[int],
              grids: Sequence[np.ndarray], groups: Any, target: int | None) -> np.ndarray:
    mesh = np.meshgrid(*grids, indexing="ij")
    rows = np.repeat(typical_row(X, groups)[None, :], mesh[0].size, axis=0)
    for j, values in zip(features, mesh, strict=True):
        rows[:, j] = values.reshape(-1)
    return positive_proba(estimator, rows, target).reshape(mesh[0].shape)


def _index(feature: int | str, names: list[str]) -> int:
    if isinstance(feature, str):
        if feature not in names:
            raise ValueError(f"unknown feature {feature!r}; known: {names}")
        return names.index(feature)
    if not 0 <= feature < len(names):
        raise ValueError(f"feature index {feature} out of range for {len(names)} features")
    return int(feature)


def partial_dependence(model: Any, X: Any, feature: int | str | tuple[int | str, int | str],
                       *, kind: str = "average", grid_resolution: int = 50,
                       percentiles: tuple[float, float] = (0.05, 0.95),
                       target: int | None = None, feature_names: Sequence[str] | None = None,
                       groups: dict[str, Sequence[int]] | None = None,
                       task: str | None = None, preprocess: Any = None) -> Dependence:
    """Partial dependence of the response on one feature, or on a pair (a 2-D grid).

    Args:
        model: a trained chainrule model or a fitted estimator.
        X: the data the dependence is averaged over (and whose means "means" uses).
        feature: a column index or name, or a pair of them for the joint effect.
        kind: ``"means"``, ``"average"`` or ``"individual"`` (see the module docstring);
            a pair takes "means" or "average". Defaults to ``"average"``.
        grid_resolution: grid points per feature. Defaults to ``50``.
        percentiles: the grid's range. Defaults to ``(0.05, 0.95)``.
        target: the class whose probability is the response. Defaults to the last class.
        feature_names: X's column names. Defaults to a DataFrame's columns or ``x0..``.
        groups: one-hot groups, held at their most common category by "means".
        task, preprocess: see :func:`~chainrule.explain.as_estimator`.

    Raises:
        ValueError: an unknown kind or feature, "individual" for a pair.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    names = feature_names_of(X, feature_names)
    pair = isinstance(feature, (tuple, list))
    if pair and kind == "individual":
        raise ValueError("two-feature partial dependence takes kind 'means' or 'average'")
    features = [_index(f, names) for f in (feature if pair else [feature])]
    x = np.asarray(X, dtype=np.float64)
    estimator = as_estimator(model, task=task, preprocess=preprocess)
    grids = [_grid(x[:, j], grid_resolution, percentiles) for j in features]
    label = " x ".join(names[j] for j in features)
    grid: Any = tuple(grids) if pair else grids[0]
    if kind == "means":
        values = _at_means(estimator, x, features, grids, groups, target)
        return Dependence(label, kind, grid, values)
    from sklearn.inspection import partial_dependence as sk_partial_dependence

    custom = {j: g for j, g in zip(features, grids, strict=True)}
    result = sk_partial_dependence(estimator, x, features, kind=kind, custom_values=custom,
                                   method="brute")
    values = np.asarray(result[kind])
    if values.shape[0] > 1:  # one row per class
        values = values[-1 if target is None else target]
    else:  # a regressor, or a binary classifier's positive class
        values = 1.0 - values[0] if target == 0 and len(getattr(estimator, "classes_", ())) \
            == 2 else values[0]
    return Dependence(label, kind, grid, values)
