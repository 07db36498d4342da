import numpy as np
import pytest

from chainrule.viz import plot_histograms, plot_monitor, save_figure
from chainrule.viz.monitor import series
from tests.viz.pngs import assert_sane_png


def hist(scale, seed):
    counts, edges = np.histogram(np.random.default_rng(seed).normal(0, scale, 400), bins=30)
    return counts.tolist(), edges.tolist()


def records(n=6):
    out = []
    for i in range(n):
        ac, ae = hist(1 + i, i)
        wc, we = hist(0.1 * (1 + i), i + 10)
        gc, ge = hist(0.01, i + 20)
        out.append({"step": 1 + 10 * i, "epoch": i, "loss": 1.0 / (i + 1),
                    "activations": {"0": {"kind": "linear", "std": 1.0 + i, "grad_std": 0.1,
                                          "dead_fraction": None, "saturated_fraction": None,
                                          "hist_counts": ac, "hist_edges": ae},
                                    "1": {"kind": "relu", "std": 0.5, "grad_std": 0.1,
                                          "dead_fraction": 0.1 * i,
                                          "saturated_fraction": None}},
                    "parameters": {"0.weight": {"norm": 2.0, "grad_norm": 1.0 / (i + 1),
                                                "update_ratio": 10.0 ** (-2 - i / 2),
                                                "hist_counts": wc, "hist_edges": we,
                                                "grad_hist_counts": gc, "grad_hist_edges": ge},
                                   "0.bias": {"norm": 0.1, "grad_norm": None,
                                              "update_ratio": None}}})
    return out


def test_series_fills_missing_values_with_nan():
    got = series(records(3), "parameters", "grad_norm")
    assert got["0.weight"].tolist() == [1.0, 0.5, 1.0 / 3]
    assert np.isnan(got["0.bias"]).all()


def test_plot_monitor_draws_each_statistic_per_layer_over_steps(tmp_path):
    recs = records()
    fig = plot_monitor(recs)
    std_ax, grad_ax, ratio_ax, dead_ax = fig.axes
    assert [line.get_label() for line in std_ax.get_lines()] == ["0", "1"]
    assert [line.get_label() for line in grad_ax.get_lines()] == ["0.weight"]  # no biases
    ratios = ratio_ax.get_lines()[0]
    assert ratios.get_xdata().tolist() == [r["step"] for r in recs]
    np.testing.assert_allclose(ratios.get_ydata(), [10.0 ** (-2 - i / 2) for i in range(6)])
    assert ratio_ax.get_yscale() == "log" and ratio_ax.get_lines()[-1].get_label() == "1e-3"
    assert [line.get_label() for line in dead_ax.get_lines()] == ["1 dead"]
    assert_sane_png(save_figure(fig, tmp_path / "monitor.png"))


@pytest.mark.parametrize(("kind", "panels"), [("activations", ["0"]), ("weights", ["0.weight"]),
                                              ("gradients", ["0.weight"])])
def test_plot_histograms_overlays_snapshots_per_layer(tmp_path, kind, panels):
    recs = records(5)
    fig = plot_histograms(recs, kind, snapshots=3)
    assert [ax.get_title(loc="left").split("\n")[0] for ax in fig.axes] == panels
    labels = [p.get_label() for p in fig.axes[0].patches]
    assert labels == ["step 1", "step 21", "step 41"]  # first, middle, last
    assert_sane_png(save_figure(fig, tmp_path / f"{kind}.png"))


def test_plot_histograms_without_data_says_so_and_bad_kind_raises():
    fig = plot_histograms([{"step": 1, "activations": {"0": {"std": 1.0}}}], "activations")
    assert any("no activations histograms" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match="kind must be one of"):
        plot_histograms([], "biases")
