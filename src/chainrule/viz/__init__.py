"""Plots (matplotlib, headless-safe)."""

from chainrule.viz.curves import moving_average, plot_history

__all__ = ["moving_average", "plot_history"]
