"""Decision-boundary grids over two features."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.explain import decision_boundary


def test_grid_probabilities_and_labels_follow_the_rule(threshold_classifier):
    X = np.random.default_rng(0).uniform(0, 1, size=(100, 2))
    grid = decision_boundary(threshold_classifier, X, resolution=41, padding=0.0)
    assert grid.values.shape == grid.labels.shape == (41, 41)
    np.testing.assert_allclose(grid.xs[[0, -1]], [X[:, 0].min(), X[:, 0].max()])
    expected = np.broadcast_to(grid.xs > 0.5, (41, 41)).astype(int)
    np.testing.assert_array_equal(grid.labels, expected)
    assert np.all((grid.values > 0.5) == (grid.labels == 1))
    assert grid.proba.shape == (41, 41, 2)
    np.testing.assert_allclose(grid.proba.sum(axis=-1), 1.0, rtol=1e-6)


def test_other_features_are_held_at_their_means(additive_net):
    X = np.random.default_rng(1).normal(size=(50, 3)) + [0, 0, 4]
    grid = decision_boundary(additive_net, X, features=(0, 2), resolution=5)
    assert grid.labels is None and grid.proba is None and grid.features == (0, 2)
    # f does not use x2; x1 sits at its mean: each row of the grid (fixed x2) is the same.
    np.testing.assert_allclose(grid.values, np.broadcast_to(grid.values[0], (5, 5)), atol=1e-6)
    with pytest.raises(ValueError, match="two different columns"):
        decision_boundary(additive_net, X, features=(1, 1))
    with pytest.raises(ValueError, match="d >= 2"):
        decision_boundary(additive_net, X[:, :1])
