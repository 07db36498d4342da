"""A surrogate decision tree: a readable model fitted to the network's predictions (deck 002).

The tree is trained on (X, network(X)): the network's predicted classes for a classifier, its
predictions for a regressor. Its *fidelity* says how far to trust the reading: the accuracy
(classification) or R^2 (regression) of the tree against the network on ``X``, not against
the truth. As the deck warns, what the tree shows depends on the tree: a shallow tree is
readable and coarse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.explain.model import as_estimator, feature_names_of, is_classifier


@dataclass
class Surrogate:
    """Result of :func:`surrogate_tree`.

    Attributes:
        tree: the fitted ``DecisionTreeClassifier`` or ``DecisionTreeRegressor``.
        fidelity: accuracy or R^2 of the tree against the network's predictions.
        metric: ``"accuracy"`` or ``"r2"``.
        feature_names: the names used in ``text``.
        text: the tree's rules (``sklearn.tree.export_text``).
        class_names: the name of each of the tree's classes (``tree.classes_``), used in
            ``text``; None for a regressor.
    """

    tree: Any
    fidelity: float
    metric: str
    feature_names: list[str]
    text: str
    class_names: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON values: ``{"max_depth", "fidelity", "metric", "rules", "importances"}``."""
        importances = dict(zip(self.feature_names,
                               self.tree.feature_importances_.tolist(), strict=True))
        return {"max_depth": self.tree.max_depth, "fidelity": self.fidelity,
                "metric": self.metric, "rules": self.text, "importances": importances}


def surrogate_tree(model: Any, X: Any, max_depth: int = 3, *,
                   feature_names: Sequence[str] | None = None,
                   class_names: Sequence[str] | None = None, random_state: int = 0,
                   task: str | None = None, preprocess: Any = None) -> Surrogate:
    """Fit a depth-``max_depth`` tree to the network's predictions on ``X``.

    Args:
        model: a trained chainrule model or a fitted estimator.
        X: inputs to explain (n_samples, n_features), raw if ``preprocess`` is given.
        max_depth: the tree's depth. Defaults to ``3``.
        feature_names: X's column names. Defaults to a DataFrame's columns or ``x0..``.
        class_names: a classifier's class names by label (``class_names[k]`` for label
            ``k``), for the rules. Defaults to the labels themselves.
        random_state: the tree's seed (ties between splits). Defaults to ``0``.
        task, preprocess: see :func:`~chainrule.explain.as_estimator`.
    """
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text

    if max_depth < 1:
        raise ValueError(f"max_depth must be >= 1, got {max_depth}")
    estimator = as_estimator(model, task=task, preprocess=preprocess)
    names = feature_names_of(X, feature_names)
    x = np.asarray(X, dtype=np.float64)
    target = np.asarray(estimator.predict(x))
    if is_classifier(estimator):
        tree = DecisionTreeClassifier(max_depth=max_depth, random_state=random_state)
        metric = "accuracy"
    else:
        tree = DecisionTreeRegressor(max_depth=max_depth, random_state=random_state)
        metric = "r2"
    tree.fit(x, target)
    fidelity = float(tree.score(x, target))
    labels = None
    if metric == "accuracy":
        labels = [str(c) if class_names is None else str(class_names[int(c)])
                  for c in tree.classes_]
    return Surrogate(tree, fidelity, metric, names,
                     export_text(tree, feature_names=names, class_names=labels), labels)
