"""The decision boundary of a classifier on 2-D inputs.

The caller evaluates its model on a grid (``grid_points`` gives the grid and
its points) and passes the class probabilities there: plain arrays, so the
plot needs no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import PALETTE, label, legend, new_figure, styled


def grid_points(x: Any, resolution: int = 150, margin: float = 0.1
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(gx, gy, points)``: a ``resolution`` x ``resolution`` grid over the 2-D samples ``x``
    (each side widened by ``margin`` of its range), and its points as a (res*res, 2) array."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"grid_points: samples must be 2-D points (n, 2), got shape {x.shape}")
    lo, hi = x.min(0), x.max(0)
    pad = np.maximum((hi - lo) * margin, 1e-3)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


@styled
def plot_decision_boundary(x: Any, y: Any, gx: Any, gy: Any, proba: Any,
                           class_names: Sequence[str] | None = None) -> Any:
    """Regions coloured by the predicted class (paler where the model is unsure), the 0.5
    contours of each class's probability, and the samples on top.

    Args:
        x: samples, shape (n, 2).
        y: their class indices, shape (n,).
        gx, gy: the grid's x and y coordinates (from :func:`grid_points`).
        proba: class probabilities on the grid, shape (len(gy) * len(gx), K) or
            (len(gy), len(gx), K), K >= 2.
        class_names: legend names. Defaults to the indices.
    """
    from matplotlib.colors import ListedColormap

    gx, gy = np.asarray(gx), np.asarray(gy)
    p = np.asarray(proba, dtype=np.float64).reshape(len(gy), len(gx), -1)
    k = p.shape[-1]
    colours = [PALETTE[i % len(PALETTE)] for i in range(k)]
    fig, axes = new_figure(1, 1, size=(5.5, 4.8))
    ax = axes[0][0]
    predicted = p.argmax(-1)
    ax.contourf(gx, gy, predicted, levels=np.arange(k + 1) - 0.5,
                cmap=ListedColormap(colours), alpha=0.25)
    ax.contourf(gx, gy, p.max(-1), levels=[0.0, 0.6], colors="white", alpha=0.5)
    for c in range(k):
        if 0.0 < p[..., c].min() < 0.5 < p[..., c].max():
            ax.contour(gx, gy, p[..., c], levels=[0.5], colors="black", linewidths=1.0)
    x, y = np.asarray(x), np.asarray(y).astype(int).ravel()
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    for c in range(k):
        mask = y == c
        ax.scatter(x[mask, 0], x[mask, 1], s=14, color=colours[c], edgecolors="black",
                   linewidths=0.4, label=names[c] if c < len(names) else str(c))
    ax.grid(False)
    label(ax, "decision boundary", "a smooth boundary between the classes; islands around "
          "single points = overfitting", "input feature 1", "input feature 2")
    legend(ax, loc="best")
    return fig
