"""Per-layer statistics over training, from the Monitor's records (``monitor.json``).

``records`` is a list of dicts, one per recorded step (see
``chainrule.diagnose.Monitor``): ``{"step", "epoch", "loss",
"activations": {layer: {"kind", "mean", "std", "dead_fraction",
"saturated_fraction", "grad_std", "hist_counts", "hist_edges"}},
"parameters": {name: {"norm", "grad_norm", "update_ratio", "hist_counts",
"hist_edges", "grad_hist_counts", "grad_hist_edges"}}}``. Histogram keys are
present only when the Monitor kept histograms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import (
    REFERENCE,
    empty,
    label,
    legend,
    log_if_positive,
    new_figure,
    styled,
)

Records = Sequence[Mapping[str, Any]]
HEALTHY_RATIO = 1e-3  # cs231n: updates about 1e-3 of the weights' scale
HISTOGRAM_KINDS = {  # kind -> (section, counts key, edges key, x label)
    "activations": ("activations", "hist_counts", "hist_edges", "activation value"),
    "weights": ("parameters", "hist_counts", "hist_edges", "weight value"),
    "gradients": ("parameters", "grad_hist_counts", "grad_hist_edges", "gradient value"),
}


def series(records: Records, section: str, key: str) -> dict[str, np.ndarray]:
    """``{layer or parameter: values over the records}`` of one statistic (NaN where missing)."""
    names = list(dict.fromkeys(n for r in records for n in r.get(section, {})))
    out = {}
    for n in names:
        values = [r.get(section, {}).get(n, {}).get(key) for r in records]
        out[n] = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    return out


def _is_weight(name: str) -> bool:
    return not name.endswith("bias")


@styled
def plot_monitor(records: Records) -> Any:
    """Four panels over the recorded steps: activation std per layer, gradient norm per
    weight, update/weight ratio per weight (with the healthy 1e-3 line), and the dead or
    saturated fraction per layer."""
    fig, axes = new_figure(2, 2, size=(5.5, 3.6))
    steps = np.asarray([r["step"] for r in records], dtype=np.float64)
    panels = [(axes[0][0], "activations", "std", "activation std per layer",
               "steady over time; shrinking or growing = vanishing or exploding", "std"),
              (axes[0][1], "parameters", "grad_norm", "gradient norm per weight",
               "falls as training converges; sudden jumps = instability", "L2 norm"),
              (axes[1][0], "parameters", "update_ratio", "update / weight ratio",
               "about 1e-3 is healthy; far below = LR too low, above = too high",
               "||dW|| / ||W||")]
    for ax, section, key, title, hint, unit in panels:
        drawn = []
        for name, values in series(records, section, key).items():
            if section == "parameters" and not _is_weight(name):
                continue
            ax.plot(steps, values, marker=".", label=name)
            drawn.append(values)
        if drawn:
            log_if_positive(ax, np.concatenate(drawn))
        label(ax, title, hint, "step (optimizer updates)", unit)
    axes[1][0].axhline(HEALTHY_RATIO, color=REFERENCE, linestyle=":", label="1e-3")
    ax = axes[1][1]
    for key, word in (("dead_fraction", "dead"), ("saturated_fraction", "saturated")):
        for name, values in series(records, "activations", key).items():
            if not np.isnan(values).all():
                ax.plot(steps, values, marker=".", label=f"{name} {word}")
    ax.set_ylim(-0.02, 1.02)
    label(ax, "dead / saturated units", "should stay near 0: dead ReLUs never recover",
          "step (optimizer updates)", "fraction of units")
    for row in axes:
        for ax in row:
            legend(ax, fontsize=7)
    return fig


@styled
def plot_histograms(records: Records, kind: str = "activations", snapshots: int = 4) -> Any:
    """One panel per layer (activations) or weight matrix (weights, gradients): its histogram
    at up to ``snapshots`` recorded steps spread over training, early light, late dark.

    Args:
        records: the Monitor's records.
        kind: ``"activations"``, ``"weights"`` or ``"gradients"``. Defaults to activations.
        snapshots: how many records to overlay (first and last always). Defaults to ``4``.
    """
    if kind not in HISTOGRAM_KINDS:
        raise ValueError(f"plot_histograms: kind must be one of {sorted(HISTOGRAM_KINDS)}, "
                         f"got {kind!r}")
    section, counts_key, edges_key, xlabel = HISTOGRAM_KINDS[kind]
    names = [n for n in dict.fromkeys(n for r in records for n in r.get(section, {}))
             if section == "activations" or _is_weight(n)]
    names = [n for n in names if any(counts_key in r.get(section, {}).get(n, {})
                                     for r in records)]
    fig, axes = new_figure(1, max(len(names), 1), size=(3.6, 3.0))
    if not names:
        empty(axes[0][0], f"no {kind} histograms were recorded")
        return fig
    import matplotlib

    picks = np.unique(np.linspace(0, len(records) - 1, min(snapshots, len(records))).round()
                      .astype(int))
    colours = matplotlib.colormaps["viridis_r"](np.linspace(0.15, 0.95, len(picks)))
    for ax, name in zip(axes[0], names, strict=True):
        for colour, i in zip(colours, picks, strict=True):
            entry = records[i].get(section, {}).get(name, {})
            if counts_key in entry:
                ax.stairs(entry[counts_key], entry[edges_key], color=colour, fill=False,
                          linewidth=1.3, label=f"step {records[i]['step']}")
        label(ax, name, "early light, late dark; watch the spread", xlabel, "count")
        legend(ax, fontsize=7)
    return fig
