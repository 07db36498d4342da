"""chainrule.sklearn estimators: scikit-learn's own estimator checks, and the tools they plug into.

Deliberately skipped checks: none. (scikit-learn itself skips ``check_array_api_input``
unless SCIPY_ARRAY_API is set; that check is about array-API inputs, which these float32
NumPy networks do not take.)
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from chainrule.data import TabularDataset
from chainrule.sklearn import MLPClassifier, MLPRegressor

# Small networks, few epochs, a larger step: the checks fit dozens of times.
FAST = {"hidden_layer_sizes": (16,), "epochs": 40, "learning_rate": 0.03, "random_state": 0}


@parametrize_with_checks([MLPClassifier(**FAST), MLPRegressor(**FAST)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def cancer():
    ds = TabularDataset.shipped("breast_cancer")
    frame = pd.DataFrame(ds.x, columns=ds.feature_names)
    return frame, np.asarray(ds.schema.classes)[ds.y]


def test_pipeline_cross_val_score_and_grid_search(cancer):
    X, y = cancer
    pipe = make_pipeline(StandardScaler(), MLPClassifier((16,), epochs=30, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-1]}, cv=2).fit(X, y)
    assert grid.best_params_["mlpclassifier__alpha"] in (1e-4, 1e-1)
    assert set(grid.predict(X)) == {"benign", "malignant"}


def test_fitted_attributes_and_string_classes(cancer):
    X, y = cancer
    clf = make_pipeline(StandardScaler(), MLPClassifier((8,), epochs=5, random_state=0))
    clf.fit(X, y)
    net = clf[-1]
    assert net.classes_.tolist() == ["benign", "malignant"] and net.n_features_in_ == 30
    net_direct = MLPClassifier((8,), epochs=2, random_state=0).fit(X, y)
    assert net_direct.feature_names_in_.tolist() == list(X.columns)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (clf.predict(X) == net.classes_[proba.argmax(axis=1)]).all()
    assert len(net.loss_curve_) == net.n_iter_ == 5


def test_same_random_state_same_bits_and_clone_unfitted():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), rng.normal(size=60)
    a = MLPRegressor((8,), epochs=5, dropout=0.2, random_state=3).fit(X, y)
    b = MLPRegressor((8,), epochs=5, dropout=0.2, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = MLPRegressor((8,), epochs=5, dropout=0.2, random_state=4).fit(X, y)
    assert not np.array_equal(a.predict(X), c.predict(X))
    assert not hasattr(clone(a), "model_") and clone(a).get_params() == a.get_params()


def test_partial_fit_and_warm_start_continue_training():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = MLPClassifier((8,), learning_rate=0.05, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:100], y[:100], classes=[0, 1])
    first = clf.model_[0].weight.data.copy()
    for _ in range(20):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 21 and not np.array_equal(first, clf.model_[0].weight.data)
    assert clf.score(X, y) > 0.9
    reg = MLPRegressor((8,), epochs=3, warm_start=True, tol=0, random_state=0)
    reg.fit(X, X[:, 0])
    model = reg.model_
    reg.fit(X, X[:, 0])
    assert reg.model_ is model and reg.n_iter_ == 6
    with pytest.raises(ValueError, match="2 outputs but the fitted network has 1"):
        reg.fit(X, X)


def test_early_stopping_and_tol_stop_before_the_epoch_budget():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    es = MLPRegressor((8,), epochs=500, early_stopping=True, n_iter_no_change=3, tol=1e-2,
                      learning_rate=0.05, random_state=0).fit(X, y)
    assert es.n_iter_ < 500
    stalled = MLPRegressor((8,), epochs=500, tol=10.0, n_iter_no_change=2,
                           random_state=0).fit(X, y)
    assert stalled.n_iter_ == 3  # never improves by 10: stops after patience + 1 epochs


def test_multi_output_regression_keeps_the_target_shape():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 4))
    Y = np.stack([X[:, 0], -X[:, 1]], axis=1)
    reg = MLPRegressor((16,), epochs=100, learning_rate=0.02, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (50, 2) and reg.score(X, Y) > 0.8


def test_pickle_round_trip_predicts_the_same():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, 40)
    clf = MLPClassifier((8,), epochs=3, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    again.partial_fit(X, y)  # the optimizer state came along
    assert again.n_iter_ == 4


@pytest.mark.parametrize("params, message", [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"), ({"activation": "swish"}, "activation"),
    ({"optimizer": "lbfgs"}, "optimizer"), ({"learning_rate": 0}, "learning_rate=0"),
    ({"dropout": 1.0}, "dropout=1.0"), ({"epochs": 0}, "epochs=0"),
])
def test_bad_parameters_are_named_at_fit(params, message):
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**params).fit(X, y)


def test_small_fits_run_with_one_blas_thread_and_large_ones_as_configured(monkeypatch):
    from threadpoolctl import threadpool_info

    import chainrule.sklearn as sk

    seen = []

    def fit(self, *args, **kwargs):
        seen.append(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
        raise StopIteration  # the thread count during fit is all this test needs

    monkeypatch.setattr(sk.Trainer, "fit", fit)
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    x, y = np.random.default_rng(0).normal(size=(40, 5)), np.arange(40) % 2
    for sizes in [(8,), (4096,)]:
        monkeypatch.setattr(sk, "SMALL_FIT_GEMM", 40 * 5 * 8 + 1)  # (8,): small; (4096,): not
        with pytest.raises(StopIteration):
            MLPClassifier(sizes, batch_size=40, epochs=1).fit(x, y)
    assert seen == [1, max(before)]
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
