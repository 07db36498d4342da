"""Showing a diagnosis: the rich table of verdicts, the plots, the JSON file.

The plots are drawn by :mod:`chainrule.viz` from plain data (the statistics'
dicts) and saved by ``viz.save_figure``; JSON goes through ``chainrule.io.write_json``:
both write atomically, like every file chainrule writes into a folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chainrule import viz
from chainrule.diagnose.checks import CheckResult
from chainrule.diagnose.statistics import Spectrum, Statistics
from chainrule.viz import save_figure

COLOURS = {"pass": "green", "warn": "yellow", "fail": "bold red"}


def verdict_table(results: Sequence[CheckResult], title: str = "diagnosis"):
    """A ``rich.table.Table``: check, verdict (coloured), measured, expected, advice."""
    from rich.table import Table

    table = Table(title=title, show_lines=True)
    for column, style in (("check", "bold"), ("verdict", None), ("measured", None),
                          ("expected", "dim"), ("advice", None)):
        table.add_column(column, style=style, overflow="fold")
    for r in results:
        table.add_row(r.name, f"[{COLOURS[r.verdict]}]{r.verdict}[/]", r.summary(), r.expected,
                      r.advice)
    return table


def _finish(fig: Any, path: str | Path | None):
    return fig if path is None else save_figure(fig, path)


# ------------------------------------------------------------------ plots (drawn by viz)
def plot_lr_range(detail: dict[str, Any], path: str | Path | None = None):
    """The LR range test's curve (:func:`chainrule.viz.plot_lr_range`); saved to ``path``
    (returned) or returned as a figure."""
    return _finish(viz.plot_lr_range(detail), path)


def plot_layers(stats: Statistics, path: str | Path | None = None):
    """Activation histograms and per-depth scales (:func:`chainrule.viz.plot_layers`)."""
    return _finish(viz.plot_layers(stats.to_dict()), path)


def plot_spectra(found: Sequence[Spectrum], path: str | Path | None = None):
    """Singular values of every weight matrix (:func:`chainrule.viz.plot_spectra`)."""
    return _finish(viz.plot_spectra([{"name": s.name, "shape": s.shape,
                                      "singular_values": s.singular_values} for s in found]),
                   path)


def plot_monitor(monitor: Any, path: str | Path | None = None):
    """A :class:`~chainrule.diagnose.monitor.Monitor`'s records over the training steps
    (:func:`chainrule.viz.plot_monitor`)."""
    return _finish(viz.plot_monitor(monitor.records), path)
