"""Babysitting the learning process: checks with verdicts, per-layer statistics, a Monitor.

Before training, :func:`diagnose` runs the decks' sanity checks on copies of a
model (it never changes the original): the initial loss (about log C), a
float64 gradient check, overfitting 20 samples, a learning-rate range test,
dead ReLUs, saturated units, activation scale, gradient flow over depth,
weight spectra and update/weight ratios (about 1e-3). Each check returns a
:class:`CheckResult` with a verdict (pass / warn / fail), the measured
figures, the expected range and one line of advice. During training,
:class:`Monitor` records the per-layer statistics every N steps, and
:func:`check_history` reads the learning curves (divergence, flat loss,
train/val gap). ``chainrule diagnose CONFIG`` is the command-line door.

    >>> from chainrule import diagnose as dg
    >>> subject = dg.Subject(model, "cross_entropy", x, y, optimizer)  # doctest: +SKIP
    >>> report = dg.diagnose(subject)  # doctest: +SKIP
    >>> [(r.name, r.verdict) for r in report.results]  # doctest: +SKIP

Layer: a library beside ``search`` and ``explain``: imports ``train``, ``optim``, ``nn``,
``autograd`` and the services ``io`` and ``viz``; never ``config``, ``runs`` or ``cli``
(``runs.diagnose`` runs it from a config).
"""

from chainrule.diagnose.checks import CheckResult, Verdict, grade, grade_log, worst
from chainrule.diagnose.gradcheck import check_gradients
from chainrule.diagnose.history import check_convergence, check_generalisation, check_history
from chainrule.diagnose.initial_loss import check_initial_loss
from chainrule.diagnose.layer_checks import (
    check_activation_scale,
    check_dead_units,
    check_gradient_flow,
    check_saturation,
    check_spectra,
    check_update_ratios,
    layer_checks,
    layer_statistics,
)
from chainrule.diagnose.lr_range import LRRangeResult, check_learning_rate, lr_range_test
from chainrule.diagnose.monitor import Monitor
from chainrule.diagnose.overfit import check_overfit
from chainrule.diagnose.report import plot_layers, plot_lr_range, plot_monitor, plot_spectra
from chainrule.diagnose.statistics import Recorder, Statistics, collect, spectra
from chainrule.diagnose.subject import Subject, clone_optimizer
from chainrule.diagnose.suite import Diagnosis, diagnose

__all__ = [
    "CheckResult", "Diagnosis", "LRRangeResult", "Monitor", "Recorder", "Statistics", "Subject",
    "Verdict", "check_activation_scale", "check_convergence", "check_dead_units",
    "check_generalisation", "check_gradient_flow", "check_gradients", "check_history",
    "check_initial_loss", "check_learning_rate", "check_overfit", "check_saturation",
    "check_spectra", "check_update_ratios", "clone_optimizer", "collect", "diagnose", "grade",
    "grade_log", "layer_checks", "layer_statistics", "lr_range_test", "plot_layers",
    "plot_lr_range", "plot_monitor", "plot_spectra", "spectra", "worst",
]
