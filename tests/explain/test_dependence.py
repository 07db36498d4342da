"""Partial dependence recovers an additive function's shape; ICE, at-means and 2-D agree."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.explain import partial_dependence
from chainrule.sklearn import MLPRegressor
from tests.explain.conftest import additive_truth


@pytest.fixture
def X():
    return np.random.default_rng(0).normal(size=(300, 3))


def test_average_is_the_additive_component_up_to_a_constant(additive_net, X):
    pd0 = partial_dependence(additive_net, X, 0, kind="average", grid_resolution=25)
    shape = additive_truth(pd0.grid, 0.0)
    offset = pd0.values - shape
    np.testing.assert_allclose(offset, offset[0], atol=1e-5)  # f0(v) + mean of 0.5 x1
    np.testing.assert_allclose(offset[0], 0.5 * X[:, 1].mean(), atol=1e-5)
    assert len(pd0.grid) == 25 and pd0.grid[0] == pytest.approx(np.percentile(X[:, 0], 5))


def test_means_individual_and_average_agree_for_an_additive_model(additive_net, X):
    means = partial_dependence(additive_net, X, "x0", kind="means", grid_resolution=10)
    np.testing.assert_allclose(means.values, additive_truth(means.grid, X[:, 1].mean()),
                               atol=1e-5)
    ice = partial_dependence(additive_net, X, 0, kind="individual", grid_resolution=10)
    avg = partial_dependence(additive_net, X, 0, kind="average", grid_resolution=10)
    assert ice.values.shape == (300, 10)
    np.testing.assert_allclose(ice.values.mean(axis=0), avg.values, atol=1e-5)
    # No interaction: every ICE curve is the same curve shifted by 0.5 x1 of its row.
    np.testing.assert_allclose(ice.values - ice.values[:, :1], np.broadcast_to(
        avg.values - avg.values[0], ice.values.shape), atol=1e-5)
    # With x1 not averaged over, "means" equals "average" for an additive model.
    np.testing.assert_allclose(means.values, avg.values, atol=1e-5)


def test_two_feature_dependence_is_additive(additive_net, X):
    for kind in ("average", "means"):
        pd2 = partial_dependence(additive_net, X, (0, 1), kind=kind, grid_resolution=8)
        g0, g1 = pd2.grid
        v = pd2.values
        assert v.shape == (8, 8) and pd2.feature == "x0 x x1"
        interaction = v - v[:, :1] - v[:1, :] + v[0, 0]
        np.testing.assert_allclose(interaction, 0.0, atol=1e-5)
        np.testing.assert_allclose(v[:, 0] - v[0, 0], additive_truth(g0, 0) -
                                   additive_truth(g0[0], 0), atol=1e-5)


def test_a_trained_network_recovers_the_shape():
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, size=(600, 2))
    y = X[:, 0] ** 2 + np.sin(2 * X[:, 1]) + 0.05 * rng.normal(size=600)
    model = MLPRegressor((32, 32), epochs=150, learning_rate=0.01, random_state=0).fit(X, y)
    for j, f in ((0, np.square), (1, lambda v: np.sin(2 * v))):
        pd_ = partial_dependence(model, X, j, kind="average", grid_resolution=20)
        centred = pd_.values - pd_.values.mean()
        truth = f(pd_.grid) - f(pd_.grid).mean()
        assert np.abs(centred - truth).max() < 0.25


def test_classifier_response_is_the_positive_class_probability(threshold_classifier):
    X = np.random.default_rng(2).uniform(0, 1, size=(200, 2))
    pd_ = partial_dependence(threshold_classifier, X, 0, kind="average", grid_resolution=30)
    assert pd_.values[0] < 0.05 and pd_.values[-1] > 0.95
    neg = partial_dependence(threshold_classifier, X, 0, kind="average", grid_resolution=30,
                             target=0)
    np.testing.assert_allclose(neg.values, 1 - pd_.values, atol=1e-6)


def test_means_holds_a_one_hot_group_at_its_mode():
    from chainrule.explain.dependence import typical_row

    X = np.array([[1.0, 0, 0, 5], [0, 1, 0, 7], [0, 1, 0, 9]])
    row = typical_row(X, {"c": [0, 1, 2], "v": [3]})
    np.testing.assert_array_equal(row, [0, 1, 0, 7])


def test_bad_arguments(additive_net, X):
    with pytest.raises(ValueError, match="kind must be one of"):
        partial_dependence(additive_net, X, 0, kind="mean")
    with pytest.raises(ValueError, match="unknown feature 'age'"):
        partial_dependence(additive_net, X, "age")
    with pytest.raises(ValueError, match="out of range"):
        partial_dependence(additive_net, X, 3)
    with pytest.raises(ValueError, match="'means' or 'average'"):
        partial_dependence(additive_net, X, (0, 1), kind="individual")
