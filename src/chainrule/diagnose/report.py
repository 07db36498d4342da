"""Showing a diagnosis: the rich table of verdicts, the plots, the JSON file.

The plots are drawn by :mod:`chainrule.viz` from plain data (the statistics'
dicts); files are written atomically (a temporary file in the same folder,
then a rename), like every file chainrule writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chainrule import io, viz
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


def atomic_write(path: Path, write) -> Path:
    """Call ``write(binary file)`` on a temporary file next to ``path``, fsync it, then rename
    it over ``path``: a crash leaves the old file or the new one, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as strict JSON (NaN/inf as ``null``) with :func:`chainrule.io.write_json`."""
    io.write_json(path, obj)
    return Path(path)


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
