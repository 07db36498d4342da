"""Preprocessing: against numpy's SVD and scikit-learn, whitening, state round trips, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chainrule.data.preprocess import (
    PCA,
    Centre,
    MeanCentre,
    MinMaxScale,
    PCAWhiten,
    Pipeline,
    Preprocessor,
    Standardize,
    ZCAWhiten,
    from_state_dict,
)


def correlated(n=2000, d=6, seed=0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) * np.linspace(0.2, 3, d)
    return (rng.normal(size=(n, d)) @ mixing + rng.normal(size=d) * 5).astype(np.float32)


def test_zca_whitened_data_has_identity_covariance():
    x = correlated()
    z = ZCAWhiten(eps=1e-6).fit_transform(x)
    np.testing.assert_allclose(np.cov(z.astype(np.float64), rowvar=False), np.eye(6), atol=2e-3)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-4)
    # ZCA is the symmetric whitening: W = C^(-1/2)
    cov = np.cov(x.astype(np.float64), rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    w = vecs @ np.diag(1 / np.sqrt(vals + 1e-6)) @ vecs.T
    np.testing.assert_allclose(z, (x - x.mean(0)) @ w, atol=2e-3)


def test_zca_keeps_image_shape_and_pca_whiten_is_identity_covariance():
    images = correlated(3000, 16).reshape(3000, 4, 4)
    z = ZCAWhiten().fit_transform(images)
    assert z.shape == images.shape and z.dtype == np.float32
    w = PCAWhiten(n_components=5, eps=1e-8).fit_transform(images)
    assert w.shape == (3000, 5)
    np.testing.assert_allclose(np.cov(w.astype(np.float64), rowvar=False), np.eye(5), atol=2e-3)


@pytest.mark.parametrize("shape", [(500, 8), (10, 30)])  # covariance path and SVD path
def test_pca_matches_numpy_svd(shape):
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32) * np.arange(1, shape[1] + 1)
    pca = PCA().fit(x)
    xc = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    k = min(shape)
    assert pca.n_components_ == k
    np.testing.assert_allclose(pca.explained_variance_, s[:k] ** 2 / (shape[0] - 1),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pca.explained_variance_ratio_, s[:k] ** 2 / (s**2).sum(),
                               rtol=1e-4, atol=1e-6)
    signs = np.sign((pca.components_ * vt[:k]).sum(axis=1))  # components up to sign
    top = k - 1 if shape[0] <= shape[1] else k  # the last SVD axis of N <= D data is arbitrary
    np.testing.assert_allclose(pca.components_[:top] * signs[:top, None], vt[:top], atol=1e-4)
    np.testing.assert_allclose(pca.transform(x)[:, :top] * signs[:top], xc @ vt[:top].T,
                               rtol=1e-4, atol=1e-3)


def test_pca_variance_fraction_and_reconstruction():
    x = correlated(1000, 10)
    ratio = PCA().fit(x).explained_variance_ratio_
    wanted = int(np.argmax(np.cumsum(ratio) >= 0.95)) + 1
    pca = PCA(0.95).fit(x)
    assert pca.n_components_ == wanted and pca.transform(x).shape == (1000, wanted)
    assert pca.explained_variance_ratio_.sum() >= 0.95 - 1e-6
    full = PCA().fit(x)
    np.testing.assert_allclose(full.inverse_transform(full.transform(x)), x, atol=1e-3)


def test_standardize_and_minmax_match_sklearn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    x = correlated(300, 5)
    x[:, 2] = 4.0  # a constant feature
    np.testing.assert_allclose(Standardize().fit_transform(x),
                               preprocessing.StandardScaler().fit_transform(x), atol=1e-5)
    np.testing.assert_allclose(MinMaxScale((-1, 2)).fit_transform(x),
                               preprocessing.MinMaxScaler((-1, 2)).fit_transform(x), atol=1e-5)


def test_fitted_on_train_applied_to_test():
    train, test = correlated(seed=0), correlated(50, seed=1)
    s = Standardize().fit(train)
    expected = (test - train.astype(np.float64).mean(0)) / train.astype(np.float64).std(0)
    np.testing.assert_allclose(s.transform(test), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(MeanCentre().fit(train).transform(test),
                               test - train.astype(np.float64).mean(0), atol=1e-4)
    assert Centre is MeanCentre


ALL = [MeanCentre, Standardize, lambda: MinMaxScale((0, 2)), lambda: PCA(3), lambda: PCA(0.8),
       lambda: PCAWhiten(2, eps=1e-3), ZCAWhiten,
       lambda: Pipeline([Standardize(), PCA(4), MinMaxScale()])]


@pytest.mark.parametrize("make", ALL)
def test_state_round_trip_json_and_arrays_only(make):
    x = correlated(200, 3 * 4).reshape(200, 3, 4)
    fitted = make().fit(x)
    state = fitted.state_dict()

    def split(node):  # ndarrays out, the rest must be JSON
        if isinstance(node, dict):
            return {k: split(v) for k, v in node.items() if not isinstance(v, np.ndarray)}
        return node
    json.dumps(split(state))
    restored = from_state_dict(state)
    np.testing.assert_array_equal(restored.transform(x), fitted.transform(x))
    fresh = make()
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.transform(x), fitted.transform(x))
    z = fitted.transform(x)
    assert z.dtype == np.float32 and fitted.inverse_transform(z).shape == x.shape


def test_load_state_errors_leave_the_object_unchanged():
    x = correlated(100, 4)
    s = Standardize().fit(x)
    before = s.transform(x)
    other = Standardize().fit(x * 2).state_dict()
    with pytest.raises(ValueError, match="cannot be loaded into a Standardize"):
        s.load_state_dict(PCA().fit(x).state_dict())
    broken = dict(other, arrays={"mean_": other["arrays"]["mean_"][:3],
                                 "scale_": other["arrays"]["scale_"]})
    with pytest.raises(ValueError, match="mean_"):
        s.load_state_dict(broken)
    with pytest.raises(ValueError, match="config"):
        MinMaxScale().load_state_dict(MinMaxScale((0, 5)).fit(x).state_dict())
    with pytest.raises(ValueError, match="unknown preprocessor type"):
        from_state_dict({"type": "Nope"})
    with pytest.raises(ValueError, match="not a PCA"):
        PCA.from_state_dict(other)
    with pytest.raises(ValueError, match="steps"):
        Pipeline([Standardize()]).load_state_dict(Pipeline([Standardize(), PCA()]).fit(x)
                                                  .state_dict())
    np.testing.assert_array_equal(s.transform(x), before)


@pytest.mark.parametrize("make", ALL)
def test_errors_nan_features_empty_unfitted(make):
    x = correlated(50, 6)
    with pytest.raises(RuntimeError, match="not fitted"):
        make().transform(x)
    bad = x.copy()
    bad[7, 2] = np.nan
    bad[9, 0] = np.inf
    with pytest.raises(ValueError, match=r"2 NaN/inf value\(s\); the first is at sample 7"):
        make().fit(bad)
    with pytest.raises(ValueError, match="empty"):
        make().fit(np.zeros((0, 6), np.float32))
    fitted = make().fit(x)
    with pytest.raises(ValueError, match="NaN/inf"):
        fitted.transform(bad)
    with pytest.raises(ValueError, match=r"5 features per sample.*6 were expected"):
        fitted.transform(x[:, :5])


def test_constructor_validation():
    for bad in (0, -1, 1.5, 0.0, True, "all"):
        with pytest.raises(ValueError, match="n_components"):
            PCA(bad)
    with pytest.raises(ValueError, match="eps"):
        ZCAWhiten(eps=0)
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScale((1, 1))
    with pytest.raises(ValueError, match="at least one step"):
        Pipeline([])
    with pytest.raises(ValueError, match="at most 3 components"):
        PCA(5).fit(correlated(3, 6))
    with pytest.raises(ValueError, match="at least 2 samples"):
        PCA().fit(correlated(1, 6))
    assert issubclass(ZCAWhiten, Preprocessor)
