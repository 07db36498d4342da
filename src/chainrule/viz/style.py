"""One look for every chainrule plot: palette, figure factory, titles that say what to look for.

Figures are made with matplotlib's object API (``matplotlib.figure.Figure`` on
the Agg canvas), never through pyplot, so no display is needed and no figure
registry keeps them alive. The palette is Okabe and Ito's colour-blind-safe
set; each role (train, validation, good, bad, reference line) has one colour
used by every plot, so "orange" means "validation" everywhere.

Every plot function in :mod:`chainrule.viz` is wrapped by :func:`styled`, which
applies :data:`RC` while it draws, and names its axes with :func:`label`:
a title, a grey line under it saying what a healthy picture looks like, and
axis labels with units.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
PURPLE, SKY, YELLOW, GREY = "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, "#000000")
TRAIN, VAL, GOOD, BAD, REFERENCE = BLUE, ORANGE, GREEN, VERMILLION, GREY
CMAP = "viridis"          # sequential data (confusion matrices, weights magnitudes)
DIVERGING_CMAP = "RdBu_r"  # signed data centred on zero (weights as images)
DPI = 100
HINT_SIZE = 8  # points, the grey line under a title
LEFT_MARGIN = 0.6  # inches left of an axes for numeric y tick labels and the y label
OVERHANG = 0.3  # inches a title may reach into the next panel's left margin

RC: dict[str, Any] = {
    "axes.prop_cycle": None,  # filled in by styled() (needs matplotlib's cycler)
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "font.family": "DejaVu Sans",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "image.cmap": CMAP,
}

F = TypeVar("F", bound=Callable[..., Any])


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {**RC, "axes.prop_cycle": cycler(color=PALETTE)}


def styled(fn: F) -> F:
    """Decorator: run a plot function under :data:`RC` (palette, grid, fonts)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(_rc()):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0),
               **subplot_kw: Any) -> tuple[Any, np.ndarray]:
    """A ``(Figure, axes)`` pair on the Agg canvas; ``axes`` is always 2-D (``[row][col]``).

    ``size`` is one panel's (width, height) in inches; the figure is ``ncols`` by
    ``nrows`` panels. No pyplot: the figure needs no display and is freed with
    its last reference.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes


def label(ax: Any, title: str, hint: str | None = None, xlabel: str | None = None,
          ylabel: str | None = None) -> None:
    """Title ``ax``, add the grey ``hint`` (what to look for) under it, and label the axes.

    Title and hint break between words to fit the width from the axes' left edge to its
    panel's right edge (see :func:`title_width`): a long feature name would otherwise run
    off the figure, and the layout would squeeze the axes trying to make room for it.
    """
    width = title_width(ax)
    title = wrap(ax.figure, title, width, RC["axes.titlesize"], weight="bold")
    if hint:
        hint = wrap(ax.figure, hint, width, HINT_SIZE)
        # room under the title for the hint's lines (8-point lines under an 11-point title)
        room = -(-(hint.count("\n") + 1) * HINT_SIZE // RC["axes.titlesize"])
        ax.set_title(title + "\n" * room, loc="left")
        ax.text(0.0, 1.02, hint, transform=ax.transAxes, fontsize=HINT_SIZE, color=GREY,
                va="bottom", ha="left")
    else:
        ax.set_title(title, loc="left")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


def text_width(fig: Any, text: str, size: float, weight: str = "normal") -> float:
    """Pixels ``text`` takes on one line at ``size`` points in the plots' font."""
    from matplotlib.font_manager import FontProperties

    props = FontProperties(family=RC["font.family"], size=size, weight=weight)
    return _measurer(fig.dpi).get_text_width_height_descent(text, props, ismath=False)[0]


@functools.cache
def _measurer(dpi: float) -> Any:
    """A 1x1 Agg renderer: text extents depend on the dpi only (and a figure made without
    :func:`new_figure` has no Agg canvas to ask)."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, dpi)


def wrap(fig: Any, text: str, width: float, size: float, weight: str = "normal") -> str:
    """``text`` broken between words into lines at most ``width`` pixels wide (a longer
    word keeps a line of its own)."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            longer = f"{line} {word}" if line else word
            if line and text_width(fig, longer, size, weight) > width:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return "\n".join(lines)


def title_width(ax: Any) -> float:
    """Pixels from ``ax``'s left edge to its panel's right edge, before the layout runs:
    the panel's share of the figure less :data:`LEFT_MARGIN` (or the widest y tick label's
    width plus a quarter inch when the ticks were set by hand), less a tenth of an inch in
    the last column (the figure's edge) or plus :data:`OVERHANG` in the others (the next
    panel's title starts after its own left margin). A title may run on over a colour
    bar, which has none."""
    from matplotlib.ticker import FixedLocator

    fig, spec = ax.figure, ax.get_subplotspec()
    columns = spec.get_gridspec().ncols if spec is not None else 1
    span = len(spec.colspan) if spec is not None else 1
    last = spec is None or spec.colspan.stop == columns
    dpi = fig.dpi
    panel = fig.get_figwidth() * dpi * span / columns + (-0.1 if last else OVERHANG) * dpi
    left = LEFT_MARGIN * dpi
    if isinstance(ax.yaxis.get_major_locator(), FixedLocator):  # ticks set by name
        names = [t.get_text() for t in ax.get_yticklabels()]
        left = max([left] + [text_width(fig, n, RC["ytick.labelsize"]) + dpi / 4 for n in names])
    return max(panel - left, dpi)


def log_if_positive(ax: Any, values: Any, axis: str = "y") -> None:
    """Log scale on ``axis`` when every finite value is > 0 and they span > 1 decade."""
    v = np.ravel(np.asarray(values, dtype=np.float64))
    v = v[np.isfinite(v)]
    if v.size and v.min() > 0 and v.max() / v.min() > 10:
        from chainrule.viz.log_axis import log_scale

        log_scale(ax, axis)


def integer_ticks(ax: Any, axis: str = "x") -> None:
    """Whole-number ticks only (epochs, layers), however few points there are."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def short(text: Any, limit: int = 16) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for tick labels of user names."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def legend(ax: Any, **kwargs: Any) -> None:
    """A legend only when something is labelled (matplotlib warns otherwise)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def empty(ax: Any, message: str) -> None:
    """Say in the panel why it has nothing to show, instead of an empty frame."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            color=GREY, fontsize=9, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
