from chainrule.viz import save_figure
from chainrule.viz.network import plot_network
from tests.viz.pngs import assert_sane_png

LAYERS = [{"name": "0", "kind": "linear", "output_shape": [128], "params": 8320,
           "detail": "64 -> 128"},
          {"name": "1", "kind": "relu", "output_shape": [128], "params": 0},
          {"name": "2", "kind": "dropout", "output_shape": [128], "params": 0, "detail": "p=0.2"},
          {"name": "3", "kind": "linear", "output_shape": [10], "params": 1290}]


def test_network_diagram_labels_each_layer_with_shape_and_parameters(tmp_path):
    fig = plot_network(LAYERS, [64])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "input" in texts and "one sample" in texts
    assert "linear  [0]" in texts and "64 -> 128" in texts and "relu  [1]" in texts
    assert "-> (64)" in texts and texts.count("-> (128)") == 3 and "-> (10)" in texts
    assert "8,320 params" in texts and "1,290 params" in texts
    assert ax.get_title(loc="left") == "network: 4 layers, 9,610 parameters"
    assert len(ax.patches) == 5
    assert_sane_png(save_figure(fig, tmp_path / "network.png"))
