"""How a classifier errs: the confusion matrix and per-class precision and recall.

Inputs are the true and predicted class indices of a held-out split (integer
arrays of the same length) and optionally the class names. With ``C[i, j]``
the number of samples of true class i predicted as j:

    precision_j = C[j, j] / sum_i C[i, j]      recall_i = C[i, i] / sum_j C[i, j]

(0 where the denominator is 0, as scikit-learn's ``zero_division=0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import GOOD, TRAIN, VAL, label, legend, new_figure, short, styled

ANNOTATE_UP_TO = 20  # classes: write the counts in the cells up to this many


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """``C[i, j]``: how many samples of true class ``i`` were predicted as ``j`` (int64).

    ``n_classes`` defaults to 1 + the largest label seen.
    """
    t = np.asarray(y_true).astype(np.int64).ravel()
    p = np.asarray(y_pred).astype(np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: y_true has {t.size} labels, y_pred {p.size}")
    n = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if n_classes is None else n_classes
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n):
        raise ValueError(f"confusion_matrix: labels must be in [0, {n}), got "
                         f"[{min(t.min(), p.min())}, {max(t.max(), p.max())}]")
    return np.bincount(t * n + p, minlength=n * n).reshape(n, n)


def precision_recall(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision (column-wise) and recall (row-wise) of a confusion matrix."""
    c = np.asarray(matrix, dtype=np.float64)
    diag = np.diag(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(c.sum(0) > 0, diag / c.sum(0), 0.0)
        recall = np.where(c.sum(1) > 0, diag / c.sum(1), 0.0)
    return precision, recall


def _names(class_names: Sequence[str] | None, n: int) -> list[str]:
    if class_names is None:
        return [str(i) for i in range(n)]
    if len(class_names) != n:
        raise ValueError(f"{len(class_names)} class names for {n} classes")
    return [str(c) for c in class_names]


@styled
def plot_confusion_matrix(y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None
                          ) -> Any:
    """The confusion matrix: colour is the share of each true class (rows sum to 1), cells
    hold the counts (up to 20 classes); the title gives the accuracy."""
    n = None if class_names is None else len(class_names)
    counts = confusion_matrix(y_true, y_pred, n)
    n = len(counts)
    names = _names(class_names, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(counts.sum(1, keepdims=True) > 0,
                         counts / counts.sum(1, keepdims=True), 0.0)
    side = min(9.0, 3.6 + 0.4 * n)
    fig, axes = new_figure(1, 1, size=(side + 1.4, side))
    ax = axes[0][0]
    image = ax.imshow(share, vmin=0.0, vmax=1.0, cmap="Blues")
    fig.colorbar(image, ax=ax, label="share of the true class", shrink=0.8)
    if n <= ANNOTATE_UP_TO:
        for i, j in zip(*np.nonzero(counts), strict=True):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if share[i, j] > 0.5 else "black")
    ticks = [short(name) for name in names]
    ax.set_xticks(range(n), ticks, rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
    ax.set_yticks(range(n), ticks)
    ax.grid(False)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    label(ax, f"confusion matrix (accuracy {accuracy:.1%})", "off the diagonal: what is "
          "mistaken for what", "predicted class", "true class")
    return fig


@styled
def plot_precision_recall(y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None
                          ) -> Any:
    """Per-class precision, recall and F1 as grouped bars (fraction, 0 to 1)."""
    n = None if class_names is None else len(class_names)
    counts = confusion_matrix(y_true, y_pred, n)
    names = _names(class_names, len(counts))
    precision, recall = precision_recall(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    x = np.arange(len(names))
    fig, axes = new_figure(1, 1, size=(max(5.0, 0.55 * len(names) + 2.0), 3.6))
    ax = axes[0][0]
    for offset, values, colour, name in ((-0.27, precision, TRAIN, "precision"),
                                         (0.0, recall, VAL, "recall"), (0.27, f1, GOOD, "F1")):
        ax.bar(x + offset, values, width=0.27, color=colour, label=name)
    ax.set_xticks(x, [short(name) for name in names], rotation=45 if len(names) > 6 else 0)
    ax.set_ylim(0, 1.22)
    ax.set_yticks(np.linspace(0, 1, 6))
    label(ax, "precision and recall per class", "a short bar picks out the class the model "
          "finds hard", "class", "fraction (0 to 1)")
    legend(ax, ncols=3, loc="upper center")
    return fig
