"""Per-layer pictures of one forward/backward pass: activation histograms, how the signal's
scale changes with depth, and the singular values of each weight matrix.

Inputs are plain dicts: ``stats`` is diagnose's ``Statistics.to_dict()`` (also in
``diagnosis.json`` under ``"statistics"``): ``{"activations": [{"name", "kind",
"mean", "std", "dead_fraction", "saturated_fraction", "grad_std", "hist_counts",
"hist_edges"}], "parameters": [{"name", "shape", "norm", "grad_norm",
"update_ratio"}]}``; ``spectra`` is a list of ``{"name", "shape",
"singular_values"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import (
    PURPLE,
    REFERENCE,
    TRAIN,
    VAL,
    label,
    legend,
    log_if_positive,
    new_figure,
    styled,
)


def _fraction_note(layer: Mapping[str, Any]) -> str:
    if layer.get("dead_fraction") is not None:
        return f", dead {layer['dead_fraction']:.0%}"
    if layer.get("saturated_fraction") is not None:
        return f", saturated {layer['saturated_fraction']:.0%}"
    return ""


@styled
def plot_layers(stats: Mapping[str, Any]) -> Any:
    """Top row: one activation histogram per layer (std and dead/saturated fraction in its
    title). Bottom row: activation std, backward-signal std (dL/dh) and RMS weight gradient
    against depth, each on a log axis when positive."""
    acts = list(stats.get("activations", ()))
    cols = max(len(acts), 3)
    fig, axes = new_figure(2, cols, size=(3.0, 2.6))
    for ax, a in zip(axes[0], acts, strict=False):
        edges = np.asarray(a["hist_edges"], dtype=np.float64)
        ax.bar(edges[:-1], a["hist_counts"], width=np.diff(edges), align="edge", color=TRAIN)
        ax.set_title(f"{a['name']} ({a['kind']})\nstd {a['std']:.2g}{_fraction_note(a)}",
                     fontsize=9)
        ax.set_xlabel("activation value")
    if acts:
        axes[0][0].set_ylabel("count")
    for ax in axes[0][len(acts):]:
        ax.set_axis_off()
    signal = [a for a in acts if a.get("grad_std") is not None]
    weights = [p for p in stats.get("parameters", ())
               if len(p["shape"]) >= 2 and p.get("grad_norm") is not None]
    rows = [("activation std", [a["name"] for a in acts], [a["std"] for a in acts], TRAIN),
            ("backward signal std (dL/dh)", [a["name"] for a in signal],
             [a["grad_std"] for a in signal], PURPLE),
            ("RMS weight gradient", [p["name"] for p in weights],
             [p["grad_norm"] / np.sqrt(np.prod(p["shape"])) for p in weights], VAL)]
    for ax, (title, names, values, colour) in zip(axes[1], rows, strict=False):
        ax.plot(range(1, len(values) + 1), values, "o-", color=colour)
        log_if_positive(ax, values)
        ax.set_xticks(range(1, len(values) + 1), names, fontsize=7, rotation=45)
        label(ax, title, "steady across depth is healthy", "layer (input to output)",
              "std / RMS (unitless)")
    for ax in axes[1][3:]:
        ax.set_axis_off()
    return fig


@styled
def plot_spectra(spectra: Sequence[Mapping[str, Any]]) -> Any:
    """Singular values of every weight matrix (largest first, log scale when positive), with
    the line s = 1 where a direction keeps its scale."""
    fig, axes = new_figure(1, 1, size=(7.0, 4.2))
    ax = axes[0][0]
    values = []
    for s in spectra:
        sv = np.asarray(s["singular_values"], dtype=np.float64)
        values.append(sv)
        ax.plot(np.arange(1, len(sv) + 1), sv, label=f"{s['name']} {tuple(s['shape'])}")
    ax.axhline(1.0, color=REFERENCE, linestyle=":", label="1 (keeps scale)")
    if values:
        log_if_positive(ax, np.concatenate(values))
    label(ax, "weight spectra", "a few huge values stretch signals (exploding); all tiny ones "
          "shrink them (vanishing)", "index (largest first)", "singular value")
    legend(ax)
    return fig

