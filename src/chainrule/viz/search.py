"""Search plots: the objective against each hyperparameter, the optimisation history, and
the learning-rate vs regularisation scatter of the decks.

Each function takes the ``trials`` list of ``search.json`` (dicts with ``number``,
``state``, ``params``, ``value`` and ``intermediate``: ``{step: value}``) and returns a
matplotlib Figure (:func:`chainrule.viz.save_figure` writes it). Pruned trials have no
final value; they are drawn at their last reported value with a grey ``x``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import (
    BLUE,
    CMAP,
    GREY,
    VERMILLION,
    label,
    legend,
    new_figure,
    styled,
    wrap,
)

_LR_WORDS = ("lr", "learning_rate")
_REG_WORDS = ("l2", "l1", "weight_decay", "regularization", "dropout", ".p")


def _shown_value(trial: dict[str, Any]) -> float | None:
    """The final value, or a pruned trial's last intermediate value."""
    if trial.get("value") is not None:
        return float(trial["value"])
    steps = trial.get("intermediate") or {}
    if trial.get("state") == "pruned" and steps:
        return float(steps[max(steps, key=int)])
    return None


def _points(trials: Sequence[dict[str, Any]], key: str | None = None):
    """``(x, y, pruned)`` of the trials that have a value to show (and the key)."""
    xs, ys, pruned = [], [], []
    for t in trials:
        y = _shown_value(t)
        if y is None or (key is not None and key not in t["params"]):
            continue
        xs.append(t["number"] if key is None else t["params"][key])
        ys.append(y)
        pruned.append(t["state"] == "pruned")
    return xs, np.asarray(ys, dtype=float), np.asarray(pruned, dtype=bool)


def _axis_values(values: list[Any]) -> tuple[np.ndarray, list[str] | None]:
    """Numbers to plot; categorical values become positions with tick labels."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), None
    labels = list(dict.fromkeys(str(v) for v in values))
    return np.asarray([labels.index(str(v)) for v in values], dtype=float), labels


@styled
def plot_objective_vs_params(trials: Sequence[dict[str, Any]], metric: str,
                             log_params: Sequence[str] = ()):
    """One panel per hyperparameter: the metric of each trial against its value.

    Axes of parameters in ``log_params`` are logarithmic; pruned trials are grey ``x``.
    """
    from chainrule.viz.log_axis import log_scale

    keys = list(dict.fromkeys(k for t in trials for k in t["params"]))
    cols = min(3, max(len(keys), 1))
    rows = -(-max(len(keys), 1) // cols)
    fig, axes = new_figure(rows, cols, size=(4.2, 3.4))
    for i, ax in enumerate(axes.flat):
        if i >= len(keys):
            ax.set_visible(False)
            continue
        key = keys[i]
        xs, ys, pruned = _points(trials, key)
        x, labels = _axis_values(xs)
        ax.scatter(x[~pruned], ys[~pruned], s=22, color=BLUE, label="complete")
        if pruned.any():
            ax.scatter(x[pruned], ys[pruned], s=26, marker="x", color=GREY, label="pruned")
        if labels is not None:
            ax.set_xticks(range(len(labels)), labels)
        elif key in log_params:
            log_scale(ax, "x")
        label(ax, key, xlabel=key, ylabel=metric)
    if keys:
        legend(axes.flat[0])
    fig.suptitle(wrap(fig, f"{metric} against each hyperparameter: look for a clear optimum "
                      "inside each range (one at an edge says widen it)",
                      fig.get_figwidth() * fig.dpi - 20, 9), fontsize=9)
    return fig


@styled
def plot_optimization_history(trials: Sequence[dict[str, Any]], metric: str, direction: str):
    """The metric of each trial in order, and the best value found so far."""
    fig, axes = new_figure(1, 1, size=(6.0, 3.8))
    ax = axes[0, 0]
    numbers, ys, pruned = _points(trials)
    n = np.asarray(numbers, dtype=float)
    ax.scatter(n[~pruned], ys[~pruned], s=20, color=BLUE, label="trial")
    if pruned.any():
        ax.scatter(n[pruned], ys[pruned], s=24, marker="x", color=GREY, label="pruned")
    done = ~pruned
    if done.any():
        best = (np.minimum if direction == "minimize" else np.maximum).accumulate(ys[done])
        ax.step(n[done], best, where="post", color=VERMILLION, label="best so far")
    label(ax, "Optimisation history", "the best-so-far line should still be improving late "
          "only if more trials would pay", xlabel="trial", ylabel=metric)
    legend(ax)
    return fig


def lr_regularization_pair(keys: Sequence[str]) -> tuple[str, str] | None:
    """The learning-rate key and a regularisation key among ``keys`` (else the first two
    keys), for :func:`plot_param_scatter`; None with fewer than two keys."""
    if len(keys) < 2:
        return None
    lr = next((k for k in keys if k.rsplit(".", 1)[-1] in _LR_WORDS), keys[0])
    rest = [k for k in keys if k != lr]
    reg = next((k for k in rest if any(w in k for w in _REG_WORDS)), rest[0])
    return lr, reg


@styled
def plot_param_scatter(trials: Sequence[dict[str, Any]], x_key: str, y_key: str, metric: str,
                       log_params: Sequence[str] = ()):
    """Two hyperparameters against each other, each trial coloured by the metric (the
    decks' learning rate vs regularisation picture); pruned trials are ``x`` markers."""
    from chainrule.viz.log_axis import log_scale

    fig, axes = new_figure(1, 1, size=(5.6, 4.4))
    ax = axes[0, 0]
    chosen = [t for t in trials if x_key in t["params"] and y_key in t["params"]
              and _shown_value(t) is not None]
    x, x_labels = _axis_values([t["params"][x_key] for t in chosen])
    y, y_labels = _axis_values([t["params"][y_key] for t in chosen])
    c = np.asarray([_shown_value(t) for t in chosen], dtype=float)
    pruned = np.asarray([t["state"] == "pruned" for t in chosen], dtype=bool)
    if len(chosen):
        vmin, vmax = float(c.min()), float(c.max())
        art = ax.scatter(x[~pruned], y[~pruned], c=c[~pruned], cmap=CMAP, s=40,
                         vmin=vmin, vmax=vmax)
        if pruned.any():
            ax.scatter(x[pruned], y[pruned], c=c[pruned], cmap=CMAP, marker="x", s=40,
                       vmin=vmin, vmax=vmax)
        fig.colorbar(art, ax=ax, label=metric)
    for labels, key, axis in ((x_labels, x_key, "x"), (y_labels, y_key, "y")):
        if labels is not None:
            (ax.set_xticks if axis == "x" else ax.set_yticks)(range(len(labels)), labels)
        elif key in log_params:
            log_scale(ax, axis)
    label(ax, f"{metric} by {x_key} and {y_key}", "the good region is where to search "
          "finer next", xlabel=x_key, ylabel=y_key)
    return fig
