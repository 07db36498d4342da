"""Any chainrule model as a fitted scikit-learn estimator, so the inspection tools take it.

:func:`as_estimator` wraps an ``nn.Module`` (plus its fitted preprocessing) in
:class:`ModelClassifier` or :class:`ModelRegressor`: ``predict``/``predict_proba`` go through
the one predict path (``chainrule.train.predict``), ``fit`` is never needed (the model is
trained), and scikit-learn sees a fitted classifier or regressor. An object that already has
``predict`` (a scikit-learn estimator, ``chainrule.sklearn.MLPClassifier``, a Pipeline) is
returned as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from chainrule.train.predict import predict, predict_proba


class _Wrapped(BaseEstimator):
    """A trained chainrule model seen as a fitted estimator (see :func:`as_estimator`)."""

    def __init__(self, model: Any = None, preprocess: Any = None):
        self.model = model
        self.preprocess = preprocess

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def fit(self, X: Any, y: Any = None) -> _Wrapped:
        """Nothing to do: the model is trained. Returns ``self``."""
        return self

    def outputs(self, X: Any) -> np.ndarray:
        """Raw model outputs (n_samples, n_outputs) through the one predict path."""
        out = predict(self.model, X, preprocess=self.preprocess)
        return out.reshape(len(out), -1)


class ModelClassifier(ClassifierMixin, _Wrapped):
    """A trained classification network: ``predict_proba`` is the softmax (or ``[1-p, p]``
    for a single logit), ``predict`` the most probable class, ``classes_`` 0..K-1."""

    def __init__(self, model: Any = None, preprocess: Any = None, n_classes: int = 2):
        super().__init__(model, preprocess)
        self.n_classes = n_classes

    @property
    def classes_(self) -> np.ndarray:
        return np.arange(self.n_classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes)."""
        return predict_proba(self.model, X, preprocess=self.preprocess)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class indices (n_samples,)."""
        return np.argmax(self.predict_proba(X), axis=1)


class ModelRegressor(RegressorMixin, _Wrapped):
    """A trained regression network: ``predict`` gives the first output, (n_samples,)."""

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the first output unit, float64."""
        return self.outputs(X)[:, 0].astype(np.float64)


def as_estimator(model: Any, task: str | None = None, preprocess: Any = None,
                 n_classes: int | None = None) -> Any:
    """A fitted scikit-learn estimator for ``model``.

    Args:
        model: an estimator (returned unchanged) or a trained chainrule model.
        task: ``"classification"`` or ``"regression"``; for a chainrule model ``None`` means
            classification when the model has more than one output unit, else regression.
        preprocess: fitted preprocessing applied before the model (e.g. a run's Standardize).
        n_classes: classes of a classifier; inferred from the output width when ``None``
            (a single logit is binary).

    Raises:
        ValueError: an unknown task.
    """
    if hasattr(model, "predict") and not hasattr(model, "parameters"):
        return model
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None, got {task!r}")
    width = _output_width(model)
    if task is None:
        task = "classification" if width > 1 else "regression"
    if task == "regression":
        return ModelRegressor(model, preprocess)
    return ModelClassifier(model, preprocess, n_classes or max(width, 2))


def _output_width(model: Any) -> int:
    """Output units of the last layer that has ``out_features`` (a linear layer)."""
    widths = [m.out_features for m in getattr(model, "modules", lambda: [])()
              if hasattr(m, "out_features")]
    if not widths:
        raise ValueError(f"cannot tell the output width of {type(model).__name__}; pass task=")
    return int(widths[-1])


def is_classifier(estimator: Any) -> bool:
    """Whether an estimator predicts classes (scikit-learn's tags)."""
    from sklearn.base import is_classifier as sk_is_classifier

    return bool(sk_is_classifier(estimator))


def positive_proba(estimator: Any, X: Any, target: int | None = None) -> np.ndarray:
    """The response the explanations plot: P(class ``target``) for a classifier (default: the
    last class, the positive one of a binary problem), else the prediction; (n_samples,)."""
    if is_classifier(estimator):
        proba = estimator.predict_proba(X)
        return np.asarray(proba)[:, -1 if target is None else target].astype(np.float64)
    out = np.asarray(estimator.predict(X), dtype=np.float64)
    return out.reshape(len(out), -1)[:, 0 if target is None else target]


def feature_names_of(X: Any, names: Sequence[str] | None) -> list[str]:
    """Column names: ``names``, else a DataFrame's columns, else ``x0, x1, ...``."""
    width = np.shape(X)[1]
    if names is None:
        names = [str(c) for c in X.columns] if hasattr(X, "columns") else [
            f"x{i}" for i in range(width)]
    if len(names) != width:
        raise ValueError(f"{len(names)} feature names for {width} columns: {list(names)[:5]}...")
    return list(names)
