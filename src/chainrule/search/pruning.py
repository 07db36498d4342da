"""Pruning: report the monitored metric to the Optuna trial each epoch, stop when told."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from chainrule.train.callbacks import Callback

if TYPE_CHECKING:
    import optuna


class TrialPruning(Callback):
    """Report ``logs[monitor]`` to ``trial`` at each epoch's end; stop training when the
    study's pruner says the trial is going nowhere.

    The step reported is ``offset + epoch`` (under cross-validation fold ``k`` of ``E``
    epochs reports at ``k * E + epoch``, so trials are compared fold by fold). When the
    pruner fires, ``trainer.stop_training`` is set and ``self.pruned`` records the epoch;
    the objective then raises :class:`optuna.TrialPruned` so the trial is stored as pruned.
    A missing or non-finite metric is not reported. ``self.curve`` keeps every
    ``{step: value}``; with ``report=False`` (a search without a pruner) nothing is sent to
    the storage during training (each report is a database write) and the objective
    stores the curve once at the end.

    Args:
        trial: the running Optuna trial.
        monitor: an epoch log key, e.g. ``"val_loss"``.
        offset: added to the epoch to make the reported step. Defaults to ``0``.
        report: report to the trial and ask its pruner each epoch. Defaults to ``True``.
    """

    def __init__(self, trial: optuna.Trial, monitor: str, offset: int = 0,
                 report: bool = True):
        self.trial, self.monitor, self.offset, self.report = trial, monitor, offset, report
        self.pruned: int | None = None
        self.curve: dict[int, float] = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise KeyError(f"TrialPruning: the epoch logs have no {self.monitor!r} to report; "
                           f"they have {sorted(logs or {})}")
        if not math.isfinite(value):
            return
        self.curve[self.offset + epoch] = float(value)
        if not self.report:
            return
        self.trial.report(float(value), self.offset + epoch)
        if self.trial.should_prune():
            self.pruned = epoch
            self.trainer.stop_training = True
