"""Per-feature affine preprocessing: mean-centring, standardisation, min-max scaling."""

from __future__ import annotations

import numpy as np

from chainrule.data.preprocess.base import Preprocessor


class MeanCentre(Preprocessor):
    """Subtract the training mean of every feature: x' = x - mean.

    Example:
        >>> MeanCentre().fit_transform(np.array([[1.0, 2.0], [3.0, 6.0]])).tolist()
        [[-1.0, -2.0], [1.0, 2.0]]
    """

    _arrays = {"mean_": ("D",)}

    def _fit(self, x: np.ndarray) -> None:
        self.mean_ = x.mean(axis=0).astype(np.float32)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return x - self.mean_

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return z + self.mean_


Centre = MeanCentre


class Standardize(Preprocessor):
    """Zero mean, unit variance per feature: x' = (x - mean) / std.

    ``std`` is the population standard deviation (ddof 0, as scikit-learn's StandardScaler);
    a constant feature gets std 1, so it is only centred instead of divided by zero.

    Example:
        >>> Standardize().fit_transform(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
        [[-1.0, 0.0], [1.0, 0.0]]
    """

    _arrays = {"mean_": ("D",), "scale_": ("D",)}

    def _fit(self, x: np.ndarray) -> None:
        std = x.std(axis=0)
        self.mean_ = x.mean(axis=0).astype(np.float32)
        self.scale_ = np.where(std > 0, std, 1.0).astype(np.float32)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_) / self.scale_

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return z * self.scale_ + self.mean_


class MinMaxScale(Preprocessor):
    """Map each feature's training range onto ``feature_range`` = (a, b):

    x' = a + (x - min) (b - a) / (max - min); a constant feature maps to a.

    Args:
        feature_range: the target interval (a, b), a < b. Defaults to (0.0, 1.0).

    Example:
        >>> MinMaxScale((-1.0, 1.0)).fit_transform(np.array([[0.0], [5.0], [10.0]])).tolist()
        [[-1.0], [0.0], [1.0]]
    """

    _arrays = {"data_min_": ("D",), "data_max_": ("D",)}

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        low, high = (float(v) for v in feature_range)
        if not low < high:
            raise ValueError(f"MinMaxScale: feature_range must be (a, b) with a < b, got "
                             f"{feature_range!r}")
        self.feature_range = (low, high)

    def get_config(self) -> dict:
        return {"feature_range": list(self.feature_range)}

    def _fit(self, x: np.ndarray) -> None:
        self.data_min_ = x.min(axis=0).astype(np.float32)
        self.data_max_ = x.max(axis=0).astype(np.float32)

    def _prepare(self) -> None:
        low, high = self.feature_range
        span = self.data_max_.astype(np.float64) - self.data_min_
        self._scale = ((high - low) / np.where(span > 0, span, np.inf)).astype(np.float32)
        self._inverse = (span / (high - low)).astype(np.float32)
        self._low = np.float32(low)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return (x - self.data_min_) * self._scale + self._low

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return (z - self._low) * self._inverse + self.data_min_
