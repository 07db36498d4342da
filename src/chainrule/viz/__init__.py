"""Plots (matplotlib, Agg, no display needed) and the HTML report of a run.

Every plot is a function taking plain data (per-epoch and per-step logs,
arrays, dicts read from run-folder files) and returning a matplotlib Figure;
:func:`save_figure` writes one as a PNG atomically. viz imports neither
``chainrule.train`` nor ``chainrule.diagnose``: they call it. The look
(palette, fonts, what each title says to look for) lives in
:mod:`chainrule.viz.style`.

    curves       loss (raw and EMA-smoothed, penalties), metrics with the gap, LR
    lr_range     learning-rate range test with the suggested rate
    layers       activation histograms and scale by depth, weight spectra (diagnose)
    monitor      gradient norms, update/weight ratios, histograms over training
"""

from chainrule.viz.curves import (
    ema,
    moving_average,
    plot_history,
    plot_learning_rate,
    plot_loss,
    plot_metrics,
)
from chainrule.viz.layers import plot_layers, plot_spectra
from chainrule.viz.lr_range import plot_lr_range
from chainrule.viz.monitor import plot_histograms, plot_monitor
from chainrule.viz.save import figure_png, save_figure

__all__ = ["ema", "figure_png", "moving_average", "plot_histograms", "plot_history",
           "plot_layers", "plot_learning_rate", "plot_loss", "plot_lr_range", "plot_metrics",
           "plot_monitor", "plot_spectra", "save_figure"]
