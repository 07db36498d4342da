"""Search plots: the objective against each hyperparameter, the optimisation history, and
the learning-rate vs regularisation scatter of the decks.

Each function takes the ``trials`` list of ``search.json`` (dicts with ``number``,
``state``, ``params``, ``value`` and ``intermediate``: ``{step: value}``) and returns a
matplotlib Figure. Pruned trials have no final value; they are drawn at their last
reported value with an ``x`` marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.curves import figure

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


def plot_objective_vs_params(trials: Sequence[dict[str, Any]], metric: str,
                             log_params: Sequence[str] = ()):
    """One panel per hyperparameter: the metric of each trial against its value.

    Axes of parameters in ``log_params`` are logarithmic; pruned trials are grey ``x``.
    """
    keys = list(dict.fromkeys(k for t in trials for k in t["params"]))
    cols = min(3, max(len(keys), 1))
    rows = -(-max(len(keys), 1) // cols)
    fig, axes = figure(rows, cols, size=(4.2, 3.4))
    for i, ax in enumerate(axes.flat):
        if i >= len(keys):
            ax.set_visible(False)
            continue
        key = keys[i]
        xs, ys, pruned = _points(trials, key)
        x, labels = _axis_values(xs)
        ax.scatter(x[~pruned], ys[~pruned], s=22, color="C0", label="complete")
        if pruned.any():
            ax.scatter(x[pruned], ys[pruned], s=26, marker="x", color="0.55", label="pruned")
        if labels is not None:
            ax.set_xticks(range(len(labels)), labels)
        elif key in log_params:
            ax.set_xscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    if keys:
        axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{metric} against each hyperparameter")
    fig.tight_layout()
    return fig


def plot_optimization_history(trials: Sequence[dict[str, Any]], metric: str, direction: str):
    """The metric of each trial in order, and the best value found so far."""
    fig, axes = figure(1, 1, size=(6.0, 3.8))
    ax = axes[0, 0]
    numbers, ys, pruned = _points(trials)
    n = np.asarray(numbers, dtype=float)
    ax.scatter(n[~pruned], ys[~pruned], s=20, color="C0", label="trial")
    if pruned.any():
        ax.scatter(n[pruned], ys[pruned], s=24, marker="x", color="0.55", label="pruned")
    done = ~pruned
    if done.any():
        best = (np.minimum if direction == "minimize" else np.maximum).accumulate(ys[done])
        ax.step(n[done], best, where="post", color="C3", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(metric)
    ax.set_title("optimisation history")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
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


def plot_param_scatter(trials: Sequence[dict[str, Any]], x_key: str, y_key: str, metric: str,
                       log_params: Sequence[str] = ()):
    """Two hyperparameters against each other, each trial coloured by the metric (the
    decks' learning rate vs regularisation picture); pruned trials are ``x`` markers."""
    fig, axes = figure(1, 1, size=(5.6, 4.4))
    ax = axes[0, 0]
    chosen = [t for t in trials if x_key in t["params"] and y_key in t["params"]
              and _shown_value(t) is not None]
    x, x_labels = _axis_values([t["params"][x_key] for t in chosen])
    y, y_labels = _axis_values([t["params"][y_key] for t in chosen])
    c = np.asarray([_shown_value(t) for t in chosen], dtype=float)
    pruned = np.asarray([t["state"] == "pruned" for t in chosen], dtype=bool)
    if len(chosen):
        vmin, vmax = float(c.min()), float(c.max())
        art = ax.scatter(x[~pruned], y[~pruned], c=c[~pruned], cmap="viridis", s=40,
                         vmin=vmin, vmax=vmax)
        if pruned.any():
            ax.scatter(x[pruned], y[pruned], c=c[pruned], cmap="viridis", marker="x", s=40,
                       vmin=vmin, vmax=vmax)
        fig.colorbar(art, ax=ax, label=metric)
    for labels, key, set_scale, set_ticks in ((x_labels, x_key, ax.set_xscale, ax.set_xticks),
                                              (y_labels, y_key, ax.set_yscale, ax.set_yticks)):
        if labels is not None:
            set_ticks(range(len(labels)), labels)
        elif key in log_params:
            set_scale("log")
    ax.set_xlabel(x_key)
    ax.set_ylabel(y_key)
    ax.set_title(f"{metric} by {x_key} and {y_key}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
