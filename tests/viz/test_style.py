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


def test_wrap_breaks_between_words_within_the_width():
    fig, _ = style.new_figure()
    text = "drop in held-out score when the feature is shuffled; grey bars are within 2 sd"
    wrapped = style.wrap(fig, text, 200, 8)
    lines = wrapped.split("\n")
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(style.text_width(fig, line, 8) <= 200 for line in lines)
    assert style.wrap(fig, "a_single_word_longer_than_the_width", 10, 8) \
        == "a_single_word_longer_than_the_width"
    assert style.wrap(fig, "short", 200, 8) == "short"


def _cut_off(fig) -> list[str]:
    """Texts drawn (titles, hints, labels, legends; not tick labels) that leave the figure."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels(which="both")}
    width, height = fig.bbox.width, fig.bbox.height
    out = []
    for text in fig.findobj(Text):
        if id(text) in ticks or not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            out.append(text.get_text())
    return out


LONG = ["maximum_heart_rate_achieved_bpm", "serum_cholesterol_mg_per_dl",
        "resting_blood_pressure_mm_hg", "age_in_years"]


def test_long_names_do_not_push_titles_and_hints_off_the_figure():
    # Before titles and hints were wrapped, each of these ran past the figure's edge.
    from chainrule.viz import explain, search

    grid = np.linspace(0.0, 1.0, 5)
    trials = [{"number": i, "state": "complete", "value": 0.5 + 0.1 * i, "intermediate": {},
               "params": {"optimizer.lr": 10.0 ** -i, "model.layers.0.out_features": 16 * 2 ** i}}
              for i in range(4)]
    single = [dict(t, params={"model.layers.0.out_features": t["params"][
        "model.layers.0.out_features"]}) for t in trials]
    figures = {
        "importance": explain.plot_importance(LONG, [0.08, 0.04, 0.02, 0.01], [0.03] * 4,
                                              "accuracy"),
        "joint dependence": explain.plot_partial_dependence_2d(
            LONG[:2], grid, grid, np.outer(grid, grid), "P(present)"),
        "scatter": search.plot_param_scatter(trials, "optimizer.lr",
                                             "model.layers.0.out_features", "val_accuracy",
                                             ["optimizer.lr"]),
        "one parameter": search.plot_objective_vs_params(single, "val_accuracy"),
    }
    assert {name: _cut_off(fig) for name, fig in figures.items()} \
        == {name: [] for name in figures}


def test_label_works_on_a_figure_made_without_new_figure():
    from matplotlib.figure import Figure

    ax = Figure(figsize=(2, 2)).add_subplot()  # no Agg canvas (as in a user's own figure)
    style.label(ax, "learning rate over the whole of training", "warm-up, decay, restarts")
    assert ax.get_title(loc="left").count("\n") >= 2  # wrapped, plus room for the hint
