import numpy as np
import pytest
from matplotlib.figure import Figure

from chainrule.viz import search as vs

TRIALS = [
    {"number": 0, "state": "complete", "params": {"optimizer.lr": 1e-3, "regularization.l2": 1e-5,
                                                  "optimizer.name": "adam"}, "value": 0.5,
     "intermediate": {"0": 0.9, "1": 0.5}},
    {"number": 1, "state": "pruned", "params": {"optimizer.lr": 1e-1, "regularization.l2": 1e-3,
                                                "optimizer.name": "sgd"}, "value": None,
     "intermediate": {"0": 2.0}},
    {"number": 2, "state": "complete", "params": {"optimizer.lr": 1e-2, "regularization.l2": 1e-4,
                                                  "optimizer.name": "sgd"}, "value": 0.3,
     "intermediate": {"0": 0.6, "1": 0.3}},
    {"number": 3, "state": "fail", "params": {"optimizer.lr": 1e-2}, "value": None,
     "intermediate": {}},
]
LOG = ["optimizer.lr", "regularization.l2"]


def test_objective_panels_use_log_axes_where_sampled_on_a_log_scale_and_mark_pruned():
    fig = vs.plot_objective_vs_params(TRIALS, "val_loss", LOG)
    assert isinstance(fig, Figure)
    lr, l2, name = fig.axes[:3]
    assert (lr.get_xscale(), l2.get_xscale(), name.get_xscale()) == ("log", "log", "linear")
    assert [t.get_text() for t in name.get_xticklabels()] == ["adam", "sgd"]
    markers = [c for c in lr.collections if c.get_label() == "pruned"]
    assert len(markers) == 1 and markers[0].get_offsets()[0].tolist() == [0.1, 2.0]
    complete = [c for c in lr.collections if c.get_label() == "complete"][0]
    assert len(complete.get_offsets()) == 2  # the failed trial has no value to show


def test_history_draws_the_best_value_so_far():
    fig = vs.plot_optimization_history(TRIALS, "val_loss", "minimize")
    (best,) = [line for line in fig.axes[0].lines if line.get_label() == "best so far"]
    assert np.asarray(best.get_ydata()).tolist() == [0.5, 0.3]


def test_scatter_pairs_learning_rate_with_regularisation_coloured_by_the_metric():
    assert vs.lr_regularization_pair(["optimizer.name", "regularization.l2", "optimizer.lr"]) \
        == ("optimizer.lr", "regularization.l2")
    assert vs.lr_regularization_pair(["a"]) is None
    fig = vs.plot_param_scatter(TRIALS, "optimizer.lr", "regularization.l2", "val_loss", LOG)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    colours = ax.collections[0].get_array()
    assert sorted(np.asarray(colours).tolist()) == [0.3, 0.5]
    assert len(fig.axes) == 2  # the colour bar


def _overlapping_labels(ax, axis: str) -> list[tuple[str, str]]:
    """Pairs of drawn tick labels of ``axis`` whose boxes overlap."""
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)
    ticks = (ax.xaxis if axis == "x" else ax.yaxis).get_ticklabels(which="both")
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ticks
             if t.get_visible() and t.get_text()]
    return [(a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1:]
            if box.overlaps(other)]


@pytest.mark.parametrize("low, high", [(16, 462), (3e-4, 3e-2), (1e-6, 1e-2), (0.5, 0.9),
                                       (1e-5, 1e3)])
def test_log_axes_label_ticks_that_do_not_overlap(low, high):
    # a width searched over [16, 512] on a log scale spans 1.5 decades, where matplotlib's
    # default labels every minor tick (2x10^1 3x10^1 4x10^1 ... ran into each other)
    values = np.geomspace(low, high, 9)
    trials = [{"number": i, "state": "complete", "params": {"width": float(v), "lr": float(v)},
               "value": float(i), "intermediate": {}} for i, v in enumerate(values)]
    fig = vs.plot_objective_vs_params(trials, "val_loss", ["width", "lr"])
    ax = fig.axes[0]
    assert _overlapping_labels(ax, "x") == []
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(shown) >= 2  # still labelled
    scatter = vs.plot_param_scatter(trials, "lr", "width", "val_loss", ["width", "lr"]).axes[0]
    assert _overlapping_labels(scatter, "x") == [] and _overlapping_labels(scatter, "y") == []
