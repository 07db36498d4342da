"""Training curves: loss (raw and smoothed, with penalty terms), metrics with the
generalisation gap, and the learning rate over steps.

Inputs are plain data: ``epoch_logs`` maps a log key to one value per epoch
(``History.history``, or the epoch rows of ``metrics.jsonl``: ``loss``,
``val_loss``, ``accuracy``, ``val_accuracy``, ``penalty/l2``, ``lr``, ``time``),
``step_logs`` maps a key to one value per logged step (``History.steps`` or the
step rows of ``metrics.jsonl``; ``"step"`` holds the step numbers).

Smoothing is TensorBoard's: a debiased exponential moving average

    m_t = s * m_{t-1} + (1 - s) * x_t,    shown: m_t / (1 - s^t)

with ``s = smoothing`` in [0, 1) (0 is no smoothing; NaN points are skipped and
stay NaN), so the first points are not pulled towards zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.viz.style import (
    BAD,
    REFERENCE,
    TRAIN,
    VAL,
    empty,
    integer_ticks,
    label,
    legend,
    log_if_positive,
    new_figure,
    styled,
)

Logs = Mapping[str, Sequence[float]]
NOT_METRICS = ("loss", "lr", "time", "step", "epoch", "kind", "seconds")
LOSS_UNITS = "loss (mean per sample)"


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


def ema(values: Any, smoothing: float = 0.6) -> np.ndarray:
    """TensorBoard's debiased exponential moving average (see the module docstring).

    ``smoothing`` in [0, 1), default 0.6 (TensorBoard's default); NaN/inf points
    are skipped and returned as NaN.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"ema: smoothing must be in [0, 1), got {smoothing!r}")
    v = np.asarray(values, dtype=np.float64).ravel()
    out = np.full(v.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(v))
    if finite.size == 0 or smoothing == 0.0:
        out[finite] = v[finite]
        return out
    from scipy.signal import lfilter

    x = v[finite]
    m = lfilter([1.0 - smoothing], [1.0, -smoothing], x)  # m_t = s m_{t-1} + (1 - s) x_t
    out[finite] = m / (1.0 - smoothing ** np.arange(1, len(x) + 1))
    return out


def metric_names(epoch_logs: Logs) -> list[str]:
    """The metrics among ``epoch_logs``' keys: not loss, lr, time, penalties or ``val_*``."""
    return [k for k in epoch_logs if k not in NOT_METRICS
            and not k.startswith(("val_", "penalty/", "test_"))]


def _epochs(epoch_logs: Logs, epochs: Sequence[int] | None) -> np.ndarray:
    n = max((len(v) for v in epoch_logs.values()), default=0)
    return np.arange(1, n + 1) if epochs is None else np.asarray(epochs) + 1


def _values(logs: Logs, key: str) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in logs[key]], dtype=np.float64)


@styled
def plot_loss(epoch_logs: Logs, step_logs: Logs | None = None, *, smoothing: float = 0.6,
              epochs: Sequence[int] | None = None) -> Any:
    """Loss curves: per step (raw, faint, and EMA-smoothed) and per epoch (train, validation
    and each ``penalty/<name>`` term, dashed).

    Args:
        epoch_logs: per-epoch logs (see the module docstring).
        step_logs: per-step logs with ``"loss"`` (and ``"step"``); the left panel is left
            out when ``None`` or empty.
        smoothing: EMA factor in [0, 1) for the per-step curve. Defaults to ``0.6``.
        epochs: 0-based epoch indices (x axis shows them 1-based). Defaults to 1..n.
    """
    fig, axes = new_figure(1, 2 if _has_steps(step_logs) else 1, size=(5.5, 3.8))
    _draw_loss(axes[0], epoch_logs, step_logs, smoothing, epochs)
    return fig


def _has_steps(step_logs: Logs | None) -> bool:
    return bool(step_logs) and len(step_logs.get("loss", ())) > 0


def _draw_loss(axes: Sequence[Any], epoch_logs: Logs, step_logs: Logs | None,
               smoothing: float, epochs: Sequence[int] | None) -> None:
    if _has_steps(step_logs):
        ax = axes[0]
        raw = _values(step_logs, "loss")
        x = _values(step_logs, "step") if "step" in step_logs else np.arange(1, len(raw) + 1)
        ax.plot(x, raw, color=TRAIN, alpha=0.25, linewidth=1.0, label="raw")
        ax.plot(x, ema(raw, smoothing), color=TRAIN, label=f"smoothed (EMA {smoothing:g})")
        log_if_positive(ax, raw)
        label(ax, "training loss per step",
              "good: fast drop, then a slow decline; flat = LR too low; spikes = too high",
              "step (optimizer updates)", LOSS_UNITS)
        legend(ax)
    ax = axes[-1]
    x = _epochs(epoch_logs, epochs)
    shown = []
    for key, colour in (("loss", TRAIN), ("val_loss", VAL)):
        if key in epoch_logs:
            shown.append(_values(epoch_logs, key))
            ax.plot(x, shown[-1], color=colour, marker="o", markersize=3,
                    label="validation" if key == "val_loss" else "train")
    for key in (k for k in epoch_logs if k.startswith("penalty/")):
        shown.append(_values(epoch_logs, key))
        ax.plot(x, shown[-1], "--", color=REFERENCE, label=key)
    if shown:
        log_if_positive(ax, np.concatenate(shown))
    else:
        empty(ax, "no epoch has ended yet")
    integer_ticks(ax)
    label(ax, "loss per epoch", "validation far above train = overfitting; both high = "
          "underfitting", "epoch", LOSS_UNITS)
    legend(ax)


@styled
def plot_metrics(epoch_logs: Logs, names: Sequence[str] | None = None, *,
                 epochs: Sequence[int] | None = None) -> Any:
    """One panel per metric: train and validation per epoch, the gap between them shaded
    and the last epoch's gap (train - validation) written in the title.

    Args:
        epoch_logs: per-epoch logs (see the module docstring).
        names: the metrics to draw. Defaults to :func:`metric_names` of ``epoch_logs``.
        epochs: 0-based epoch indices. Defaults to 1..n.
    """
    names = list(metric_names(epoch_logs) if names is None else names)
    fig, axes = new_figure(1, max(len(names), 1), size=(4.6, 3.6))
    if not names:
        empty(axes[0][0], "no metrics were logged")
        return fig
    _draw_metrics(axes[0], epoch_logs, names, epochs)
    return fig


def _draw_metrics(axes: Sequence[Any], epoch_logs: Logs, names: Sequence[str],
                  epochs: Sequence[int] | None) -> None:
    x = _epochs(epoch_logs, epochs)
    for ax, name in zip(axes, names, strict=True):
        train = _values(epoch_logs, name)
        ax.plot(x, train, color=TRAIN, marker="o", markersize=3, label="train")
        gap_text = ""
        if f"val_{name}" in epoch_logs:
            val = _values(epoch_logs, f"val_{name}")
            ax.plot(x, val, color=VAL, marker="o", markersize=3, label="validation")
            ax.fill_between(x, train, val, color=BAD, alpha=0.15, linewidth=0,
                            label="generalisation gap")
            finite = np.flatnonzero(np.isfinite(train) & np.isfinite(val))
            if finite.size:
                gap_text = f" (gap {train[finite[-1]] - val[finite[-1]]:+.3g})"
        integer_ticks(ax)
        label(ax, f"{name}{gap_text}", "a gap that keeps widening = overfitting", "epoch", name)
        legend(ax)


LR_HINT = "warm-up, decay and restarts show here; compare with the loss"


@styled
def plot_learning_rate(lrs: Sequence[float], steps: Sequence[float] | None = None, *,
                       ax: Any = None, label_text: str | None = None,
                       xlabel: str = "step (optimizer updates)", title: str = "learning rate",
                       hint: str | None = LR_HINT) -> Any:
    """The learning rate against the step (or epoch); returns the figure.

    Args:
        lrs: the rate at each point.
        steps: x values. Defaults to 0..n-1.
        ax: an existing ``Axes`` to draw into. Defaults to a new figure.
        label_text: legend entry. Defaults to none.
        xlabel: x-axis label. Defaults to ``"step (optimizer updates)"``.
        title: the panel's title. Defaults to ``"learning rate"``.
        hint: the grey line under it (what to look for); None for none (a grid of small
            panels). Defaults to :data:`LR_HINT`.
    """
    values = np.asarray(lrs, dtype=np.float64)
    x = np.arange(len(values)) if steps is None else np.asarray(steps, dtype=np.float64)
    if ax is None:
        _, axes = new_figure(1, 1, size=(6.0, 3.5))
        ax = axes[0][0]
    ax.plot(x, values, label=label_text)
    log_if_positive(ax, values)
    drawn = np.concatenate([np.asarray(line.get_ydata(), dtype=np.float64) for line in ax.lines])
    drawn = drawn[np.isfinite(drawn)]
    if drawn.size and drawn.min() == drawn.max() > 0:  # a constant rate: show it from zero
        ax.set_ylim(0.0, 2.0 * drawn.max())  # (matplotlib zooms to +-4% and 5 odd ticks)
    label(ax, title, hint, xlabel, "learning rate")
    legend(ax)
    return ax.figure


@styled
def plot_history(history: Any, path: str | Path | None = None, smoothing: float = 0.6) -> Any:
    """Loss (per step and per epoch) and every metric of a ``History`` in one figure.

    Returns the saved path when ``path`` is given (PNG, atomic), else the figure.
    """
    from chainrule.viz.save import save_figure

    epoch_logs, step_logs = history.history, history.steps
    names = metric_names(epoch_logs)
    n_loss = 2 if _has_steps(step_logs) else 1
    fig, axes = new_figure(1, n_loss + len(names), size=(4.6, 3.6))
    _draw_loss(axes[0][:n_loss], epoch_logs, step_logs, smoothing, history.epoch)
    _draw_metrics(axes[0][n_loss:], epoch_logs, names, history.epoch)
    return fig if path is None else save_figure(fig, path)
