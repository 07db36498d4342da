"""A labelled diagram of a network's layer stack: what each layer is, the shape it outputs
and how many parameters it holds.

``layers`` is a list of dicts, input to output: ``{"name": "0", "kind": "linear",
"output_shape": [128], "params": 8320, "detail": "64 -> 128"}`` (``detail``
optional); ``input_shape`` is one sample's shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chainrule.viz.style import (
    BLUE,
    GREEN,
    GREY,
    PURPLE,
    SKY,
    VERMILLION,
    new_figure,
    short,
    styled,
)

FAMILIES = {  # kind -> box colour; anything else is an activation (green)
    "linear": BLUE, "conv2d": BLUE, "maxout": BLUE, "dropout": GREY, "flatten": GREY,
    "identity": GREY, "maxpool2d": SKY, "avgpool2d": SKY, "batchnorm": PURPLE,
    "batchnorm1d": PURPLE, "batchnorm2d": PURPLE, "input": VERMILLION,
}


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


@styled
def plot_network(layers: Sequence[Mapping[str, Any]], input_shape: Sequence[int]) -> Any:
    """Boxes from input (top) to output (bottom), each with its kind, name and detail on the
    left and its output shape and parameter count on the right; the total in the title."""
    from matplotlib.patches import FancyBboxPatch

    rows = [{"name": "", "kind": "input", "output_shape": input_shape, "params": 0,
             "detail": "one sample"}, *layers]
    total = sum(int(r.get("params", 0)) for r in layers)
    height = 0.62 * len(rows) + 1.0
    fig, axes = new_figure(1, 1, size=(6.4, height))
    ax = axes[0][0]
    ax.set_xlim(0, 10)
    ax.set_ylim(len(rows) - 0.4, -0.8)
    ax.set_axis_off()
    for i, row in enumerate(rows):
        colour = FAMILIES.get(str(row["kind"]).lower(), GREEN)
        ax.add_patch(FancyBboxPatch((0.2, i - 0.32), 5.2, 0.64, boxstyle="round,pad=0.02",
                                    facecolor=colour, alpha=0.2, edgecolor=colour))
        name = f"  [{row['name']}]" if row["name"] != "" else ""
        detail = short(row.get("detail") or "", 44)
        ax.text(0.4, i - (0.12 if detail else 0.0), f"{row['kind']}{name}", va="center",
                fontsize=9, fontweight="bold")
        if detail:
            ax.text(0.4, i + 0.14, detail, va="center", fontsize=7.5, color=GREY)
        params = int(row.get("params", 0))
        ax.text(5.7, i, f"-> {_shape(row['output_shape'])}", va="center", fontsize=9,
                family="monospace")
        ax.text(9.8, i, f"{params:,} params" if params else "", va="center", ha="right",
                fontsize=9, color=GREY)
        if i:
            ax.annotate("", (2.8, i - 0.32), (2.8, i - 0.68),
                        arrowprops={"arrowstyle": "->", "color": GREY, "lw": 1.0})
    noun = "layer" if len(layers) == 1 else "layers"
    ax.set_title(f"network: {len(layers)} {noun}, {total:,} parameters", loc="left")
    return fig
