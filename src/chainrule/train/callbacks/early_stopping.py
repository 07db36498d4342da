"""EarlyStopping: stop when a monitored quantity stops improving, keep the best weights."""

from __future__ import annotations

import warnings
from typing import Any

from chainrule.train.callbacks.base import Callback, Logs
from chainrule.train.callbacks.monitor import improved, resolve_mode


class EarlyStopping(Callback):
    """Stop training after ``patience`` epochs without improvement of ``monitor``.

    Early stopping treats the number of epochs as a hyperparameter chosen on
    validation data: training ends when the validation score has not improved
    by more than ``min_delta`` for ``patience`` epochs, and with
    ``restore_best=True`` the weights of the best epoch are put back at the end.

    Args:
        monitor: a key of the epoch logs. Defaults to ``"val_loss"``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the metric's name). Defaults to ``"auto"``.
        patience: epochs without improvement before stopping. Defaults to ``5``.
        min_delta: smallest change that counts as improvement. Defaults to ``0.0``.
        restore_best: restore the best epoch's weights when training ends.
            Defaults to ``True``.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", patience: int = 5,
                 min_delta: float = 0.0, restore_best: bool = True):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.mode = resolve_mode(monitor, mode, "EarlyStopping")
        self.restore_best = restore_best
        self.best: float | None = None
        self.best_epoch = -1
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights: dict | None = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"EarlyStopping: monitor {self.monitor!r} is not in the epoch logs; "
                          f"available: {sorted(logs)}", stacklevel=2)
            return
        if improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = float(value), epoch, 0
            if self.restore_best:
                self.best_weights = self.trainer.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.restore_best and self.best_weights is not None:
            self.trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.wait, self.stopped_epoch = state["wait"], state["stopped_epoch"]
        self.best_weights = state.get("best_weights")
