"""Explanation plots: importance bars, partial dependence with ICE, bootstrap bands, trees.

Each function takes plain data (arrays, lists, the dicts stored in ``explain.json``) and
returns a matplotlib Figure drawn in chainrule's style; ``chainrule.viz.save_figure`` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import BAD, GREY, REFERENCE, TRAIN, VAL, label, new_figure, styled

MAX_ICE_LINES = 60


@styled
def plot_importance(names: Sequence[str], mean: Sequence[float], std: Sequence[float],
                    scoring: str = "score", top: int = 20) -> Any:
    """Horizontal bars of permutation importance (mean drop in ``scoring``), error bars one
    standard deviation over the repeats, most important on top; at most ``top`` features."""
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    order = np.argsort(-mean, kind="stable")[:top][::-1]
    fig, axes = new_figure(size=(6.5, max(2.5, 0.28 * len(order) + 1.2)))
    ax = axes[0][0]
    colours = [TRAIN if mean[i] > 2 * std[i] else GREY for i in order]
    ax.barh(np.arange(len(order)), mean[order], xerr=std[order], color=colours,
            error_kw={"ecolor": "black", "elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(np.arange(len(order)), [names[i] for i in order])
    ax.axvline(0.0, color=REFERENCE, linewidth=0.8)
    label(ax, "Permutation importance", "drop in held-out score when the feature is shuffled; "
          "grey bars are within 2 sd of zero", xlabel=f"decrease in {scoring}")
    return fig


@styled
def plot_partial_dependence(feature: str, grid: Sequence[float], average: Sequence[float],
                            ice: Any = None, at_means: Sequence[float] | None = None,
                            response: str = "prediction") -> Any:
    """Partial dependence on one feature: ICE curves (one thin line per row, at most
    ``MAX_ICE_LINES``), their average (scikit-learn's PD) and the curve at the means."""
    grid = np.asarray(grid, dtype=float)
    fig, axes = new_figure(size=(6.0, 4.0))
    ax = axes[0][0]
    if ice is not None:
        curves = np.asarray(ice, dtype=float)
        shown = np.unique(np.linspace(0, len(curves) - 1, MAX_ICE_LINES).round().astype(int))
        for k, curve in enumerate(curves[shown]):
            ax.plot(grid, curve, color=GREY, alpha=0.25, linewidth=0.7,
                    label="individual (ICE)" if k == 0 else None)
    ax.plot(grid, np.asarray(average, dtype=float), color=TRAIN, linewidth=2.2,
            label="average (PD)")
    if at_means is not None:
        ax.plot(grid, np.asarray(at_means, dtype=float), color=VAL, linestyle="--",
                linewidth=2.0, label="others at their means")
    ax.legend(loc="best")
    label(ax, f"Partial dependence on {feature}", "parallel ICE lines: no interaction; "
          "crossing lines: the effect depends on other features", xlabel=feature,
          ylabel=response)
    return fig


@styled
def plot_partial_dependence_2d(features: Sequence[str], grid_x: Sequence[float],
                               grid_y: Sequence[float], values: Any,
                               response: str = "prediction") -> Any:
    """Joint partial dependence of two features as filled contours (``values[i, j]`` at
    ``grid_x[i]``, ``grid_y[j]``)."""
    fig, axes = new_figure(size=(5.5, 4.5))
    ax = axes[0][0]
    surface = ax.contourf(np.asarray(grid_x), np.asarray(grid_y),
                          np.asarray(values, dtype=float).T, levels=15)
    fig.colorbar(surface, ax=ax, label=response)
    label(ax, f"Joint effect of {features[0]} and {features[1]}",
          "contours parallel to an axis: that feature has no effect there",
          xlabel=features[0], ylabel=features[1])
    return fig


@styled
def plot_bootstrap_band(feature: str, x: Sequence[float], mean: Sequence[float],
                        lower: Sequence[float], upper: Sequence[float], level: float = 0.95,
                        response: str = "prediction", B: int | None = None) -> Any:
    """Bootstrap percentile band of the predictions against one feature (the others held
    fixed), with the mean over the refitted models."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    fig, axes = new_figure(size=(6.0, 4.0))
    ax = axes[0][0]
    ax.fill_between(x[order], np.asarray(lower)[order], np.asarray(upper)[order], color=TRAIN,
                    alpha=0.25, linewidth=0, label=f"{100 * level:.0f}% bootstrap interval")
    ax.plot(x[order], np.asarray(mean)[order], color=TRAIN, label="mean of refitted models")
    ax.legend(loc="best")
    refits = f" from {B} refits" if B else ""
    label(ax, f"Prediction uncertainty along {feature}", f"percentile band{refits}; wide "
          f"where the data are thin", xlabel=feature, ylabel=response)
    return fig


@styled
def plot_surrogate_tree(tree: Any, feature_names: Sequence[str],
                        class_names: Sequence[str] | None = None, fidelity: float | None = None,
                        metric: str = "accuracy") -> Any:
    """A fitted scikit-learn decision tree (the surrogate) drawn with ``sklearn.tree.plot_tree``,
    titled with its fidelity to the network."""
    from sklearn.tree import plot_tree

    depth = int(tree.get_depth())
    fig, axes = new_figure(size=(max(6.0, 1.5 * 2 ** min(depth, 4)), 1.6 * depth + 2.0))
    ax = axes[0][0]
    ax.grid(False)
    plot_tree(tree, feature_names=list(feature_names), ax=ax, filled=True, rounded=True,
              impurity=False, fontsize=7,
              class_names=list(class_names) if class_names is not None else None)
    hint = f"fidelity to the network: {metric} {fidelity:.3f}" if fidelity is not None else None
    label(ax, f"Surrogate tree (depth {depth})", hint)
    return fig


@styled
def plot_saliency(feature_names: Sequence[str], gradient: Sequence[float],
                  gradient_x_input: Sequence[float]) -> Any:
    """Mean absolute saliency per feature: |gradient| and |gradient x input| side by side."""
    grad, gxi = np.abs(np.asarray(gradient, float)), np.abs(np.asarray(gradient_x_input, float))
    order = np.argsort(-gxi, kind="stable")[:20][::-1]
    fig, axes = new_figure(size=(6.5, max(2.5, 0.28 * len(order) + 1.2)))
    ax = axes[0][0]
    pos = np.arange(len(order))
    ax.barh(pos + 0.2, gxi[order], height=0.4, color=TRAIN, label="|gradient x input|")
    ax.barh(pos - 0.2, grad[order], height=0.4, color=BAD, label="|gradient|")
    ax.set_yticks(pos, [feature_names[i] for i in order])
    ax.legend(loc="lower right")
    label(ax, "Saliency", "mean over rows of the output's input gradient",
          xlabel="mean absolute value")
    return fig
