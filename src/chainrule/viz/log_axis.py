"""Logarithmic axes whose tick labels can be read.

matplotlib's log axis labels its minor ticks when fewer than two powers of ten are in view:
a hidden width searched over [16, 512] got ``2x10^1 3x10^1 4x10^1 6x10^1`` written into each
other. :func:`log_scale` picks the ticks itself when the axis is drawn: the densest of
1..9, (1, 2, 5) or 1 times the powers of ten that puts between two and :data:`MAX_TICKS`
ticks in view, written as plain numbers (``20 50 100 200``) or, for powers of ten alone,
as ``10^k``; wider ranges get every k-th power of ten, narrower ones evenly spaced ticks.
Minor ticks stay, unlabelled.
"""

from __future__ import annotations

import functools
import math
from typing import Any

MAX_TICKS = 6  # labels of up to six characters side by side on a 3-inch axis
SUBS = ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1,))


def log_scale(ax: Any, axis: str = "x") -> None:
    """Put ``axis`` (``"x"`` or ``"y"``) of ``ax`` on a log scale with readable labels."""
    from matplotlib.ticker import NullFormatter

    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    locator, formatter = _ticker_classes()
    target.set_major_locator(locator())
    target.set_major_formatter(formatter())
    target.set_minor_formatter(NullFormatter())


def readable_ticks(low: float, high: float) -> list[float] | None:
    """The major ticks of a log axis showing [low, high] > 0: ``s * 10^k`` for the densest
    ``s`` in :data:`SUBS` that puts at most :data:`MAX_TICKS` in view (fewer than two when
    the range is under one step of 1..9); None when even the powers of ten are too many."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    for subs in SUBS:
        # s / 10^-k, not s * 10^k: 6 * 0.1 is 0.6000000000000001
        ticks = [s * 10.0 ** k if k >= 0 else s / 10.0 ** -k
                 for k in range(first, last + 1) for s in subs]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) <= MAX_TICKS:
            return ticks
    return None


def tick_label(value: float, powers: bool) -> str:
    """``10^k`` on an axis whose ticks are all powers of ten, else the plain number (``%g``)."""
    if powers and value > 0:
        return f"$10^{{{round(math.log10(value))}}}$"
    return f"{value:g}"


def _all_powers_of_ten(values: Any) -> bool:
    return len(values) > 0 and all(
        v > 0 and math.isclose(10.0 ** round(math.log10(v)), v, rel_tol=1e-9) for v in values)


@functools.cache
def _ticker_classes() -> tuple[type, type]:
    """The Locator and Formatter (built on first use: importing viz loads no matplotlib)."""
    from matplotlib.ticker import Formatter, Locator, LogLocator, MaxNLocator

    class ReadableLogLocator(Locator):
        def __call__(self) -> list[float]:
            return self.tick_values(*self.axis.get_view_interval())

        def tick_values(self, vmin: float, vmax: float) -> list[float]:
            low, high = sorted((vmin, vmax))
            if not (low > 0 and math.isfinite(high)):
                return list(LogLocator().tick_values(vmin, vmax))
            ticks = readable_ticks(low, high)
            if ticks is None:  # many decades: every k-th power of ten
                return list(LogLocator(numticks=MAX_TICKS).tick_values(low, high))
            if len(ticks) < 2:  # a narrow range: evenly spaced ticks
                return [t for t in MaxNLocator(4).tick_values(low, high) if t > 0]
            return ticks

    class ReadableLogFormatter(Formatter):
        powers = False

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            self.powers = _all_powers_of_ten(locs)

        def __call__(self, value: float, pos: int | None = None) -> str:
            return tick_label(value, self.powers)

    return ReadableLogLocator, ReadableLogFormatter
