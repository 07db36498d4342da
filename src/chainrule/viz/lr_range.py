"""The learning-rate range test (Smith 2017) as a picture: loss against a growing learning rate.

Input is the ``detail`` dict of diagnose's range-test result (or the
``"learning rate (range test)"`` entry of ``diagnosis.json``): ``lrs``,
``losses`` and ``smoothed`` (one value per step), and optionally
``suggested``, ``lr`` (the configured rate) and ``diverged_at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.viz.style import BAD, GOOD, REFERENCE, TRAIN, label, legend, new_figure, styled

MARKS = (("suggested", GOOD, "--", "suggested"), ("lr", REFERENCE, ":", "configured"),
         ("diverged_at", BAD, "--", "diverges"))


@styled
def plot_lr_range(detail: Mapping[str, Any]) -> Any:
    """Loss (raw, faint, and smoothed) against the learning rate on a log axis, with the
    suggested rate (steepest descent), the configured rate and the divergence point marked."""
    from chainrule.viz.log_axis import log_scale

    fig, axes = new_figure(1, 1, size=(7.0, 4.2))
    ax = axes[0][0]
    lrs = np.asarray(detail["lrs"], dtype=np.float64)
    raw = np.asarray([np.nan if v is None else v for v in detail["losses"]], dtype=np.float64)
    smooth = np.asarray([np.nan if v is None else v for v in detail["smoothed"]],
                        dtype=np.float64)
    ax.plot(lrs, raw, color=TRAIN, alpha=0.25, linewidth=1.0, label="minibatch loss")
    ax.plot(lrs, smooth, color=TRAIN, label="smoothed loss")
    for key, colour, style, text in MARKS:
        value = detail.get(key)
        if isinstance(value, (int, float)) and np.isfinite(value) and value > 0:
            ax.axvline(value, color=colour, linestyle=style, label=f"{text} {value:.1e}")
    shown = np.concatenate([smooth[np.isfinite(smooth)], raw[np.isfinite(raw)]])
    if shown.size and shown.min() >= 0 and np.isfinite(smooth[0]):
        ax.set_ylim(0.9 * shown.min(), min(shown.max(), 3 * smooth[0]) * 1.05)
    log_scale(ax, "x")
    label(ax, "learning-rate range test", "pick a rate where the loss falls fastest, well "
          "before it blows up", "learning rate (log scale)", "loss (mean per sample)")
    legend(ax)
    return fig
