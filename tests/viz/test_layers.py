import numpy as np

from chainrule.viz import plot_layers, plot_spectra, save_figure
from tests.viz.pngs import assert_sane_png


def layer(name, kind, std, dead=None, grad_std=0.1):
    counts, edges = np.histogram(np.random.default_rng(0).normal(0, std, 500), bins=30)
    return {"name": name, "kind": kind, "mean": 0.0, "std": std, "dead_fraction": dead,
            "saturated_fraction": None, "grad_std": grad_std, "hist_counts": counts.tolist(),
            "hist_edges": edges.tolist()}


STATS = {"activations": [layer("0", "linear", 1.0), layer("1", "relu", 0.5, dead=0.25),
                         layer("2", "linear", 0.1, grad_std=0.01)],
         "parameters": [{"name": "0.weight", "shape": [64, 32], "norm": 3.0, "grad_norm": 0.4},
                        {"name": "0.bias", "shape": [32], "norm": 0.1, "grad_norm": 0.1},
                        {"name": "2.weight", "shape": [32, 10], "norm": 2.0,
                         "grad_norm": 0.02}]}


def test_plot_layers_draws_a_histogram_per_layer_and_scales_by_depth(tmp_path):
    fig = plot_layers(STATS)
    hist_axes, depth_axes = fig.axes[:3], fig.axes[3:6]
    assert "dead 25%" in hist_axes[1].get_title(loc="left")
    assert [len(ax.patches) for ax in hist_axes] == [30, 30, 30]
    stds = depth_axes[0].get_lines()[0].get_ydata().tolist()
    assert stds == [1.0, 0.5, 0.1]
    rms = depth_axes[2].get_lines()[0].get_ydata()
    np.testing.assert_allclose(rms, [0.4 / np.sqrt(64 * 32), 0.02 / np.sqrt(320)])
    assert_sane_png(save_figure(fig, tmp_path / "layers.png"))


def test_plot_spectra_one_line_per_matrix_and_the_unit_line(tmp_path):
    spectra = [{"name": "0.weight", "shape": [64, 32], "singular_values": [5.0, 2.0, 0.5]},
               {"name": "2.weight", "shape": [32, 10], "singular_values": [1.5, 0.1]}]
    fig = plot_spectra(spectra)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == \
        ["0.weight (64, 32)", "2.weight (32, 10)", "1 (keeps scale)"]
    assert ax.get_yscale() == "log"
    assert_sane_png(save_figure(fig, tmp_path / "spectra.png"))
