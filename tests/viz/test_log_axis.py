import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from chainrule.viz.log_axis import MAX_TICKS, log_scale, readable_ticks, tick_label


@pytest.mark.parametrize("low, high, expected", [
    (14, 520, [20, 50, 100, 200, 500]),           # 1.6 decades: 1, 2, 5
    (0.48, 0.93, [0.5, 0.6, 0.7, 0.8, 0.9]),      # under a decade: 1..9, exact decimals
    (8e-7, 1.2e-2, [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]),  # powers of ten alone
    (1.1, 9.9, [2, 5]),                           # 2..9 would be eight
])
def test_ticks_are_the_densest_readable_multiples_of_powers_of_ten(low, high, expected):
    assert readable_ticks(low, high) == expected  # == on floats: 0.6, not 6 * 0.1


def test_too_many_decades_and_too_narrow_a_range_are_left_to_the_fallbacks():
    assert readable_ticks(7e-6, 1.5e3) is None
    assert readable_ticks(0.51, 0.58) == []


def test_labels_are_powers_of_ten_only_when_every_tick_is_one():
    assert tick_label(1e-4, powers=True) == "$10^{-4}$"
    assert tick_label(1e-4, powers=False) == "0.0001"
    assert tick_label(200.0, powers=False) == "200"


@pytest.mark.parametrize("low, high", [(7e-6, 1.5e3), (0.51, 0.58), (16, 462)])
def test_the_axis_keeps_two_to_six_labelled_ticks_in_view(low, high):
    fig = Figure()
    ax = fig.add_subplot()
    ax.scatter(np.geomspace(low, high, 5), np.arange(5))
    log_scale(ax, "x")
    fig.canvas.draw()
    lo, hi = sorted(ax.get_xlim())
    shown = [t for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
    assert ax.get_xscale() == "log"
    assert 2 <= len(shown) <= MAX_TICKS + 1
    assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))
    values = [t.get_position()[0] for t in shown]
    assert all(math.isfinite(v) and v > 0 for v in values)
