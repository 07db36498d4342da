"""Learning curves: loss and metrics per epoch, and the per-step loss smoothed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np


def figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0)):
    """A matplotlib figure that works without a display (Agg backend when headless)."""
    import matplotlib

    if not os.environ.get("DISPLAY") and matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)


def moving_average(values: Any, window: int = 20) -> np.ndarray:
    """Trailing mean over ``window`` points (shorter at the start); NaNs are skipped."""
    v = np.asarray(values, dtype=np.float64)
    if window < 1:
        raise ValueError(f"moving_average: window must be >= 1, got {window}")
    finite = np.isfinite(v)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, v, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    idx = np.arange(1, len(v) + 1)
    lo = np.maximum(idx - window, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums[idx] - sums[lo]) / (counts[idx] - counts[lo])


def plot_history(history: Any, path: str | Path | None = None, window: int = 20):
    """Plot per-step loss (raw and smoothed), per-epoch loss/val_loss and each metric.

    Returns the saved path when ``path`` is given, else the figure.
    """
    metrics = [k for k in history.history if k not in ("loss", "val_loss", "lr", "time")
               and not k.startswith(("val_", "penalty/"))]
    fig, axes = figure(1, 2 + len(metrics))
    ax = axes[0][0]
    steps = history.steps.get("loss", [])
    ax.plot(steps, alpha=0.3, label="loss per step")
    ax.plot(moving_average(steps, window), label=f"moving average ({window})")
    ax.set(xlabel="step", ylabel="loss", title="training loss", yscale="log"
           if steps and np.nanmin(steps) > 0 else "linear")
    ax.legend()
    epochs = np.arange(1, len(history.epoch) + 1)
    ax = axes[0][1]
    for key in ("loss", "val_loss"):
        if key in history.history:
            ax.plot(epochs, history.history[key], marker="o", label=key)
    ax.set(xlabel="epoch", ylabel="loss", title="loss per epoch")
    ax.legend()
    for i, name in enumerate(metrics):
        ax = axes[0][2 + i]
        ax.plot(epochs, history.history[name], marker="o", label=name)
        if f"val_{name}" in history.history:
            ax.plot(epochs, history.history[f"val_{name}"], marker="o", label=f"val_{name}")
        ax.set(xlabel="epoch", title=name)
        ax.legend()
    fig.tight_layout()
    if path is None:
        return fig
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
