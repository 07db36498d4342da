import numpy as np

from chainrule.viz import plot_lr_range, save_figure
from tests.viz.pngs import assert_sane_png


def test_lr_range_marks_suggested_configured_and_divergence(tmp_path):
    lrs = np.logspace(-6, 1, 60)
    losses = 2.3 - 1.5 / (1 + np.exp(-(np.log10(lrs) + 3))) + np.where(lrs > 1, 10 * lrs, 0)
    detail = {"lrs": lrs.tolist(), "losses": losses.tolist(), "smoothed": losses.tolist(),
              "suggested": 1e-3, "lr": 1e-2, "diverged_at": 2.0}
    fig = plot_lr_range(detail)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[2:] == ["suggested 1.0e-03", "configured 1.0e-02", "diverges 2.0e+00"]
    assert_sane_png(save_figure(fig, tmp_path / "lr_range.png"))


def test_lr_range_without_a_suggestion_draws_only_the_curve():
    detail = {"lrs": [1e-5, 1e-4, 1e-3], "losses": [1.0, None, 1.0],
              "smoothed": [1.0, 1.0, 1.0], "suggested": None}
    assert len(plot_lr_range(detail).axes[0].get_lines()) == 2
