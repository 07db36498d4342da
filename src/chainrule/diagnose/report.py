"""Showing a diagnosis: the rich table of verdicts, the plots, the JSON file.

Plots are written atomically (a temporary file in the same folder, then a
rename), like every file chainrule writes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.diagnose.checks import CheckResult, jsonable
from chainrule.diagnose.statistics import Spectrum, Statistics
from chainrule.viz.curves import figure

COLOURS = {"pass": "green", "warn": "yellow", "fail": "bold red"}
HEALTHY_RATIO = 1e-3


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


def save_figure(fig: Any, path: str | Path) -> Path:
    """Save ``fig`` as a PNG atomically and close it."""
    import matplotlib.pyplot as plt

    try:
        fig.tight_layout()
        return atomic_write(Path(path), lambda fh: fig.savefig(fh, format="png", dpi=100))
    finally:
        plt.close(fig)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` (made JSON-ready by :func:`jsonable`) atomically, indented."""
    text = json.dumps(jsonable(obj), indent=2)
    return atomic_write(Path(path), lambda fh: fh.write(text.encode()))


def _finish(fig: Any, path: str | Path | None):
    return fig if path is None else save_figure(fig, path)


# ------------------------------------------------------------------ plots
def plot_lr_range(detail: dict[str, Any], path: str | Path | None = None):
    """Loss (raw and smoothed) against the learning rate, log scale, with the suggested and
    configured rates marked."""
    fig, axes = figure(1, 1, size=(7.0, 4.5))
    ax = axes[0][0]
    lrs = np.asarray(detail["lrs"], dtype=np.float64)
    ax.plot(lrs, detail["losses"], alpha=0.3, label="minibatch loss")
    ax.plot(lrs, detail["smoothed"], label="smoothed loss")
    for key, style, label in (("suggested", "g--", "suggested"), ("lr", "k:", "configured"),
                              ("diverged_at", "r--", "diverges")):
        value = detail.get(key)
        if isinstance(value, (int, float)) and np.isfinite(value) and value > 0:
            ax.axvline(value, color=style[0], linestyle=style[1:], label=f"{label} {value:.1e}")
    smooth = np.asarray(detail["smoothed"], dtype=np.float64)
    raw = np.asarray(detail["losses"], dtype=np.float64)
    shown = np.concatenate([smooth[np.isfinite(smooth)], raw[np.isfinite(raw)]])
    if shown.size and shown.min() >= 0 and np.isfinite(smooth[0]):
        ax.set_ylim(0.9 * shown.min(), min(shown.max(), 3 * smooth[0]) * 1.05)
    ax.set(xscale="log", xlabel="learning rate", ylabel="loss", title="learning-rate range test")
    ax.legend(fontsize="small")
    return _finish(fig, path)


def plot_layers(stats: Statistics, path: str | Path | None = None):
    """One activation histogram per recorded layer (with its std and dead/saturated
    fraction); below: the activation std, the std of the backward signal dL/dh per
    layer, and the RMS gradient of each weight matrix over depth."""
    acts = stats.activations
    cols = max(len(acts), 3)
    fig, axes = figure(2, cols, size=(3.0, 2.6))
    for i, a in enumerate(acts):
        ax = axes[0][i]
        edges = np.asarray(a.hist_edges)
        ax.bar(edges[:-1], a.hist_counts, width=np.diff(edges), align="edge")
        extra = f", dead {a.dead_fraction:.0%}" if a.dead_fraction is not None else \
            f", sat. {a.saturated_fraction:.0%}" if a.saturated_fraction is not None else ""
        ax.set_title(f"{a.name} ({a.kind})\nstd {a.std:.2g}{extra}", fontsize="small")
    for ax in axes[0][len(acts):]:
        ax.axis("off")
    signal = [a for a in acts if a.grad_std is not None]
    weights = [p for p in stats.parameters if len(p.shape) >= 2 and p.grad_norm is not None]
    rows = [("activation std per layer", [a.name for a in acts], [a.std for a in acts], "o-r"),
            ("backward signal std (dL/dh)", [a.name for a in signal],
             [a.grad_std for a in signal], "o-m"),
            ("RMS weight gradient", [p.name for p in weights],
             [p.grad_norm / np.sqrt(np.prod(p.shape)) for p in weights], "o-b")]
    for ax, (title, names, values, style) in zip(axes[1], rows, strict=False):
        ax.plot(range(1, len(values) + 1), values, style)
        if values and min(values) > 0:
            ax.set_yscale("log")
        ax.set_xticks(range(1, len(values) + 1), names, fontsize="small", rotation=45)
        ax.set(title=title, xlabel="depth")
    for ax in axes[1][3:]:
        ax.axis("off")
    return _finish(fig, path)


def plot_spectra(found: Sequence[Spectrum], path: str | Path | None = None):
    """Singular values of every weight matrix (largest first, log scale)."""
    fig, axes = figure(1, 1, size=(7.0, 4.5))
    ax = axes[0][0]
    for s in found:
        values = np.asarray(s.singular_values)
        ax.plot(np.arange(1, len(values) + 1), values, label=f"{s.name} {s.shape}")
    ax.axhline(1.0, color="k", linestyle=":", label="1 (preserves scale)")
    positive = [v for s in found for v in s.singular_values if v > 0]
    if positive:
        ax.set_yscale("log")
    ax.set(xlabel="index", ylabel="singular value", title="weight spectra (eig(W^T W) = s^2)")
    ax.legend(fontsize="small")
    return _finish(fig, path)


def plot_monitor(monitor: Any, path: str | Path | None = None):
    """A :class:`~chainrule.diagnose.monitor.Monitor`'s records over the training steps."""
    steps = [r["step"] for r in monitor.records]
    fig, axes = figure(2, 2, size=(6.0, 4.0))
    panels = [(axes[0][0], "activations", "std", "activation std", False),
              (axes[0][1], "parameters", "grad_norm", "gradient norm", True),
              (axes[1][0], "parameters", "update_ratio", "update / weight ratio", True)]
    for ax, section, key, title, log in panels:
        for name, values in monitor.series(section, key).items():
            if section == "parameters" and name.endswith("bias"):
                continue
            ax.plot(steps, values, marker=".", label=name)
        if log:
            ax.set_yscale("log")
        ax.set(title=title, xlabel="step")
    axes[1][0].axhline(HEALTHY_RATIO, color="k", linestyle=":", label="1e-3")
    ax = axes[1][1]
    for key, label in (("dead_fraction", "dead"), ("saturated_fraction", "saturated")):
        for name, values in monitor.series("activations", key).items():
            if not all(np.isnan(values)):
                ax.plot(steps, values, marker=".", label=f"{name} {label}")
    ax.set(title="dead / saturated fraction", xlabel="step", ylim=(-0.02, 1.02))
    for row in axes:
        for ax in row:
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize="x-small")
    return _finish(fig, path)
