import numpy as np
import pytest

from chainrule import viz
from chainrule.train import History
from tests.viz.pngs import assert_sane_png

EPOCHS = {"loss": [2.0, 1.0, 0.5, 0.3], "val_loss": [2.1, 1.2, 0.9, 1.0],
          "accuracy": [0.3, 0.6, 0.8, 0.9], "val_accuracy": [0.3, 0.55, 0.7, 0.72],
          "penalty/l2": [0.01, 0.012, 0.013, 0.013], "lr": [0.1] * 4, "time": [1.0] * 4}
STEPS = {"step": list(range(1, 41)),
         "loss": list(2.0 * np.exp(-np.arange(40) / 10) + 0.1 * np.sin(np.arange(40)))}


def reference_ema(values, s):
    """TensorBoard's smoothing as written in its front end (a loop)."""
    last, n, out = 0.0, 0, []
    for v in values:
        if not np.isfinite(v):
            out.append(np.nan)
            continue
        last = last * s + (1 - s) * v
        n += 1
        out.append(last / (1 - s ** n))
    return np.array(out)


@pytest.mark.parametrize("s", [0.0, 0.3, 0.6, 0.99])
def test_ema_matches_tensorboards_loop_and_skips_nan(s):
    values = np.array([3.0, 1.0, np.nan, 2.0, 5.0, np.inf, 0.5] * 20)
    np.testing.assert_allclose(viz.ema(values, s), reference_ema(values, s), rtol=1e-12)


def test_ema_starts_at_the_first_value_not_at_zero():
    assert viz.ema([4.0, 4.0, 4.0], 0.9).tolist() == pytest.approx([4.0, 4.0, 4.0])


@pytest.mark.parametrize("s", [-0.1, 1.0, 2])
def test_ema_rejects_smoothing_outside_0_1(s):
    with pytest.raises(ValueError, match=r"smoothing must be in \[0, 1\), got"):
        viz.ema([1.0], s)


def test_moving_average_is_a_trailing_mean():
    assert viz.moving_average([1, 2, 3, 4], 2).tolist() == [1.0, 1.5, 2.5, 3.5]


def test_plot_loss_draws_raw_smoothed_val_and_penalties(tmp_path):
    fig = viz.plot_loss(EPOCHS, STEPS, smoothing=0.8)
    per_step, per_epoch = fig.axes[:2]
    raw, smooth = per_step.get_lines()
    assert raw.get_ydata().tolist() == STEPS["loss"]
    np.testing.assert_allclose(smooth.get_ydata(), reference_ema(STEPS["loss"], 0.8))
    labels = [line.get_label() for line in per_epoch.get_lines()]
    assert labels == ["train", "validation", "penalty/l2"]
    assert per_epoch.get_lines()[1].get_xdata().tolist() == [1, 2, 3, 4]
    assert per_step.get_xlabel().startswith("step") and "loss" in per_step.get_ylabel()
    assert_sane_png(viz.save_figure(fig, tmp_path / "loss.png"))


def test_plot_loss_without_steps_or_epochs_says_so():
    fig = viz.plot_loss({}, None)
    assert len(fig.axes) == 1 and any("no epoch" in t.get_text() for t in fig.axes[0].texts)


def test_plot_metrics_shades_the_gap_and_reports_the_last_one(tmp_path):
    fig = viz.plot_metrics(EPOCHS)
    (ax,) = fig.axes
    assert ax.get_title(loc="left").startswith("accuracy (gap +0.18")
    assert len(ax.collections) == 1  # the shaded gap
    assert_sane_png(viz.save_figure(fig, tmp_path / "metrics.png"))


def test_plot_learning_rate_draws_the_rates_on_a_log_axis(tmp_path):
    lrs = 0.1 * 0.5 ** np.arange(20)
    fig = viz.plot_learning_rate(lrs)
    ax = fig.axes[0]
    assert ax.get_lines()[0].get_ydata().tolist() == lrs.tolist()
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "learning rate"
    assert_sane_png(viz.save_figure(fig, tmp_path / "lr.png"))


def test_plot_history_saves_every_panel(tmp_path):
    history = History()
    for e in range(4):
        for s in range(10):
            history.record_step({"step": e * 10 + s + 1, "loss": STEPS["loss"][e * 10 + s]})
        history.record_epoch(e, {k: v[e] for k, v in EPOCHS.items()})
    path = viz.plot_history(history, tmp_path / "curves.png")
    width, _ = assert_sane_png(path)
    assert width > 1000  # loss per step, per epoch, accuracy side by side
    assert len(viz.plot_history(history).axes) == 3


def test_a_constant_learning_rate_is_drawn_from_zero():
    ax = viz.plot_learning_rate([0.01] * 50).axes[0]
    assert ax.get_ylim() == (0.0, 0.02)
    ticks = [t for t in ax.get_yticks() if 0.0 <= t <= 0.02]
    assert 0.01 in [round(t, 6) for t in ticks]  # the rate itself is a tick
    varying = viz.plot_learning_rate(np.linspace(0.01, 0.005, 50)).axes[0]
    assert varying.get_ylim()[0] > 0  # a schedule keeps matplotlib's own range


def test_a_learning_rate_panel_can_carry_its_own_title_and_no_hint():
    ax = viz.plot_learning_rate([0.1, 0.05], title="step decay", hint=None).axes[0]
    assert ax.get_title(loc="left") == "step decay" and not ax.texts
    default = viz.plot_learning_rate([0.1, 0.05]).axes[0]
    assert default.get_title(loc="left").startswith("learning rate")
    assert [t.get_text() for t in default.texts] == [viz.curves.LR_HINT]
