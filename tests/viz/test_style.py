import numpy as np
import pytest

from chainrule.viz import style


def test_new_figure_gives_a_grid_of_axes_on_the_agg_canvas():
    fig, axes = style.new_figure(2, 3, size=(2.0, 1.5))
    assert axes.shape == (2, 3)
    assert type(fig.canvas).__name__ == "FigureCanvasAgg"
    assert tuple(fig.get_size_inches()) == (6.0, 3.0)


def test_styled_applies_the_palette_only_while_drawing():
    import matplotlib

    @style.styled
    def draw():
        fig, axes = style.new_figure()
        line, = axes[0][0].plot([0, 1], [0, 1])
        return line.get_color(), matplotlib.rcParams["axes.spines.top"]

    before = matplotlib.rcParams["axes.spines.top"]
    colour, spines = draw()
    assert colour.lower() == style.PALETTE[0].lower() and spines is False
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_label_sets_title_hint_and_units():
    fig, axes = style.new_figure()
    ax = axes[0][0]
    style.label(ax, "loss", "should fall", "epoch", "loss (nats)")
    assert ax.get_title(loc="left").startswith("loss")
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss (nats)"
    assert [t.get_text() for t in ax.texts] == ["should fall"]


@pytest.mark.parametrize(("values", "scale"), [([1e-4, 1.0], "log"), ([0.5, 1.0], "linear"),
                                               ([0.0, 10.0], "linear"),
                                               ([np.nan, 1e-5, 1.0], "log")])
def test_log_scale_only_for_positive_values_over_a_decade(values, scale):
    fig, axes = style.new_figure()
    style.log_if_positive(axes[0][0], values)
    assert axes[0][0].get_yscale() == scale
