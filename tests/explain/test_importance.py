"""Permutation importance: the features that matter rank first; correlated features share."""

from __future__ import annotations

import numpy as np

from chainrule.explain import permutation_importance
from chainrule.sklearn import MLPRegressor


def _data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = 2 * X[:, 0] + np.sin(2 * X[:, 1]) * 1.5 + 0.1 * rng.normal(size=n)
    return X, y


def test_only_features_0_and_1_matter_on_held_out_data():
    X, y = _data(600, 0)
    model = MLPRegressor((32,), epochs=120, learning_rate=0.01, random_state=0).fit(X, y)
    X_test, y_test = _data(300, 1)
    imp = permutation_importance(model, X_test, y_test, n_repeats=10, random_state=0)
    assert imp.ranking()[:2] == ["x0", "x1"] and imp.scoring == "r2"
    assert imp.raw.shape == (6, 10) and imp.baseline > 0.9
    rest = slice(2, None)
    assert np.all(np.abs(imp.mean[rest]) <= np.maximum(3 * imp.std[rest], 0.02))
    assert imp.mean[1] > 10 * np.abs(imp.mean[rest]).max()


def test_perfectly_correlated_features_split_the_importance():
    rng = np.random.default_rng(2)
    x0, x2 = rng.normal(size=(2, 800))
    y = 3 * x0 + x2
    alone = np.stack([x0, x2], axis=1)
    twins = np.stack([x0, x0, x2], axis=1)  # feature 1 is an exact copy of feature 0
    fit = dict(hidden_layer_sizes=(16,), activation="identity", epochs=150, learning_rate=0.01,
               alpha=1.0, random_state=0)
    single = permutation_importance(MLPRegressor(**fit).fit(alone, y), alone, y, n_repeats=5)
    pair = permutation_importance(MLPRegressor(**fit).fit(twins, y), twins, y, n_repeats=5)
    # The model leans on both copies: permuting either leaves it the other, so each one
    # looks far less important than the single feature did, though together they matter.
    assert pair.mean[0] > 0.1 and pair.mean[1] > 0.1
    assert max(pair.mean[0], pair.mean[1]) < 0.6 * single.mean[0]


def test_grouped_permutation_moves_one_hot_columns_together(additive_net):
    from chainrule.explain.model import as_estimator

    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    y = as_estimator(additive_net).predict(X)
    ungrouped = permutation_importance(additive_net, X, y, n_repeats=4, random_state=5)
    singles = permutation_importance(additive_net, X, y, n_repeats=4, random_state=5,
                                     groups={"a": [0], "b": [1], "c": [2]})
    np.testing.assert_array_equal(singles.raw, ungrouped.raw)
    assert singles.names == ["a", "b", "c"]
    # One group of two columns, x0 and x1 permuted by the same row order: the rows seen by
    # the model are always rows of X (so the pair's joint values are kept).
    seen = []

    class Spy:
        def predict(self, rows):
            seen.append(np.asarray(rows).copy())
            return as_estimator(additive_net).predict(rows)

        def __sklearn_tags__(self):
            return as_estimator(additive_net).__sklearn_tags__()

        def fit(self, X, y):
            return self

    grouped = permutation_importance(Spy(), X, y, n_repeats=3, scoring="r2",
                                     groups={"x0 and x1": [0, 1], "x2": [2]})
    assert grouped.names == ["x0 and x1", "x2"] and grouped.mean[0] > 0.5
    assert abs(grouped.mean[1]) < 1e-9
    pairs = {tuple(r) for r in X[:, :2].round(12)}
    assert all(tuple(r) in pairs for rows in seen for r in rows[:, :2].round(12))
