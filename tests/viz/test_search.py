import numpy as np
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
