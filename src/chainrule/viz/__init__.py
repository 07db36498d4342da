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
    weights      first-layer weights as an image grid
    network      the layer stack with output shapes and parameter counts
    classification  confusion matrix, per-class precision and recall
    boundary     decision boundary of a classifier on 2-D inputs
    explain      importance bars, partial dependence with ICE, bootstrap bands, surrogate tree
    report       the self-contained HTML report of a run or a search (Jinja2)
"""

from chainrule.viz.boundary import grid_points, plot_decision_boundary
from chainrule.viz.classification import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_precision_recall,
)
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
from chainrule.viz.network import plot_network
from chainrule.viz.save import figure_png, save_figure
from chainrule.viz.weights import plot_weight_grid

__all__ = ["confusion_matrix", "ema", "figure_png", "grid_points", "moving_average",
           "plot_confusion_matrix", "plot_decision_boundary", "plot_histograms", "plot_history",
           "plot_layers", "plot_learning_rate", "plot_loss", "plot_lr_range", "plot_metrics",
           "plot_monitor", "plot_network", "plot_precision_recall", "plot_spectra",
           "plot_weight_grid", "save_figure"]
