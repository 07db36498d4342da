"""PCA, PCA whitening and ZCA whitening (deck 001, "Preprocessing the data").

With the training covariance C = U diag(lambda) U^T (eigenvalues descending, one principal
axis per row of ``components_`` = U^T):

- PCA:          z = (x - mean) U_k                          (N, k) decorrelated, reduced
- PCA whitening: z = (x - mean) U_k / sqrt(lambda_k + eps)   (N, k) ~ identity covariance
- ZCA whitening: z = (x - mean) U diag(1 / sqrt(lambda + eps)) U^T   same shape as x,
  identity covariance and as close to x as possible (Bell & Sejnowski 1997)

``eps`` keeps the division finite for (near-)zero variances and damps the noise they carry.
"""

from __future__ import annotations

import numpy as np

from chainrule.data.preprocess.base import Preprocessor


def principal_axes(xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variances (descending) and unit principal axes (rows) of centred float64 rows (N, D).

    Uses the D x D covariance when N >= D (cheap for many samples), else the SVD of the data
    (at most N axes). Signs are fixed so the largest-magnitude entry of each axis is positive.
    """
    n, d = xc.shape
    if n >= d:
        variances, vectors = np.linalg.eigh(xc.T @ xc / (n - 1))
        variances, axes = variances[::-1], vectors[:, ::-1].T
    else:
        _, singular, axes = np.linalg.svd(xc, full_matrices=False)
        variances = singular**2 / (n - 1)
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return np.maximum(variances, 0.0), axes * signs[:, None]


class PCA(Preprocessor):
    """Principal component analysis: project the centred data onto its top-k principal axes.

    Args:
        n_components: ``None`` keeps all min(N, D) components; an int k keeps k; a float in
            (0, 1] keeps the fewest components whose explained variance reaches that fraction.
            Defaults to ``None``.

    Attributes (after ``fit``):
        mean_ (D,), components_ (k, D) with unit rows, explained_variance_ (k,) (variances
        along each axis, ddof 1), explained_variance_ratio_ (k,) (their share of the total
        variance), n_components_.

    Example:
        >>> x = np.array([[2.0, 2.0], [-2.0, -2.0], [1.0, -1.0], [-1.0, 1.0]])
        >>> pca = PCA(n_components=1).fit(x)
        >>> round(float(pca.explained_variance_ratio_[0]), 2), pca.transform(x).shape
        (0.8, (4, 1))
    """

    _arrays = {"mean_": ("D",), "components_": ("k", "D"), "explained_variance_": ("k",),
               "explained_variance_ratio_": ("k",)}

    def __init__(self, n_components: int | float | None = None):
        if not (n_components is None
                or isinstance(n_components, (int, np.integer)) and not isinstance(
                    n_components, bool) and n_components >= 1
                or isinstance(n_components, float) and 0 < n_components <= 1):
            raise ValueError(f"{type(self).__name__}: n_components must be None, an int >= 1 "
                             f"or a variance fraction in (0, 1], got {n_components!r}")
        self.n_components = n_components

    def get_config(self) -> dict:
        return {"n_components": self.n_components}

    @property
    def n_components_(self) -> int:
        self._check_fitted("n_components_")
        return len(self.components_)

    def _output_shape(self) -> tuple[int, ...]:
        return (len(self.components_),)

    def _fit(self, x: np.ndarray) -> None:
        name = type(self).__name__
        if len(x) < 2:
            raise ValueError(f"{name}.fit: needs at least 2 samples for a covariance, got 1")
        mean = x.mean(axis=0)
        variances, axes = principal_axes(x - mean)
        total = variances.sum()
        ratio = variances / total if total > 0 else np.zeros_like(variances)
        k, available = self.n_components, len(axes)
        if k is None:
            k = available
        elif isinstance(k, float):
            # the fewest components reaching the fraction (tolerance for float rounding)
            k = min(int(np.searchsorted(np.cumsum(ratio), k - 1e-9)) + 1, available)
        elif k > available:
            raise ValueError(f"{name}.fit: n_components={k}, but {len(x)} samples of "
                             f"{x.shape[1]} features have at most {available} components")
        self.mean_ = mean.astype(np.float32)
        self.components_ = axes[:k].astype(np.float32)
        self.explained_variance_ = variances[:k].astype(np.float32)
        self.explained_variance_ratio_ = ratio[:k].astype(np.float32)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_) @ self.components_.T

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return z @ self.components_ + self.mean_


class PCAWhiten(PCA):
    """PCA whitening: z = (x - mean) U_k / sqrt(lambda_k + eps), covariance ~ identity (N, k).

    Args:
        n_components: as :class:`PCA`. Defaults to ``None`` (all components).
        eps: added to each variance before the square root, > 0. Defaults to 1e-5.
    """

    def __init__(self, n_components: int | float | None = None, eps: float = 1e-5):
        super().__init__(n_components)
        if not eps > 0:
            raise ValueError(f"{type(self).__name__}: eps must be > 0, got {eps!r}")
        self.eps = float(eps)

    def get_config(self) -> dict:
        return {**super().get_config(), "eps": self.eps}

    def _prepare(self) -> None:
        variances = self.explained_variance_.astype(np.float64)
        self._gain = (1.0 / np.sqrt(variances + self.eps)).astype(np.float32)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return super()._forward(x) * self._gain

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return super()._backward(z / self._gain)


class ZCAWhiten(PCAWhiten):
    """ZCA whitening: z = (x - mean) W, W = U diag(1 / sqrt(lambda + eps)) U^T (symmetric).

    Identity covariance (up to eps) while staying close to the input; the output keeps the
    input's shape, so whitened images still look like images (edges enhanced).

    Args:
        eps: added to each variance before the square root, > 0. Defaults to 1e-5.
    """

    def __init__(self, eps: float = 1e-5):
        super().__init__(None, eps)

    def get_config(self) -> dict:
        return {"eps": self.eps}

    def _output_shape(self) -> tuple[int, ...]:
        return self.feature_shape_

    def _prepare(self) -> None:
        super()._prepare()
        axes = self.components_.astype(np.float64)
        self._whiten = ((axes.T * self._gain) @ axes).astype(np.float32)
        self._colour = ((axes.T / self._gain) @ axes).astype(np.float32)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_) @ self._whiten

    def _backward(self, z: np.ndarray) -> np.ndarray:
        return z @ self._colour + self.mean_
