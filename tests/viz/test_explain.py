"""Explanation plots draw what they are given."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from chainrule.viz import explain as ve


def _axes(fig):
    assert isinstance(fig, Figure)
    return fig.axes[0]


def test_importance_bars_sorted_with_error_bars():
    fig = ve.plot_importance(["a", "b", "c"], [0.1, 0.5, 0.0], [0.01, 0.05, 0.02], "accuracy")
    ax = _axes(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["c", "a", "b"]  # most important on top (last)
    widths = [p.get_width() for p in ax.patches]
    assert widths == [0.0, 0.1, 0.5]
    assert "accuracy" in ax.get_xlabel()


def test_partial_dependence_draws_ice_average_and_means():
    grid = np.linspace(0, 1, 5)
    ice = np.random.default_rng(0).normal(size=(200, 5))
    fig = ve.plot_partial_dependence("age", grid, ice.mean(0), ice, grid * 2, "P(Yes)")
    lines = _axes(fig).get_lines()
    assert len(lines) == ve.MAX_ICE_LINES + 2  # a sample of the ICE curves, average, means
    np.testing.assert_allclose(lines[-1].get_ydata(), grid * 2)
    assert _axes(fig).get_ylabel() == "P(Yes)"


def test_bootstrap_band_sorts_along_the_feature():
    x = np.array([3.0, 1.0, 2.0])
    fig = ve.plot_bootstrap_band("bmi", x, [30, 10, 20], [25, 5, 15], [35, 15, 25], B=20)
    line = _axes(fig).get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), [10, 20, 30])


def test_surrogate_tree_pd_2d_and_saliency():
    from sklearn.tree import DecisionTreeClassifier

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    tree = DecisionTreeClassifier(max_depth=1).fit(X, [0, 0, 1, 1])
    fig = ve.plot_surrogate_tree(tree, ["age"], ["No", "Yes"], 0.95)
    texts = " ".join(t.get_text() for t in _axes(fig).texts)
    assert "age <= 1.5" in texts and "0.950" in texts
    fig = ve.plot_partial_dependence_2d(["a", "b"], [0, 1, 2], [0, 1], np.ones((3, 2)))
    assert _axes(fig).get_xlabel() == "a"
    fig = ve.plot_saliency(["a", "b"], [0.1, -0.3], [0.2, 0.1])
    assert [t.get_text() for t in _axes(fig).get_yticklabels()] == ["b", "a"]
