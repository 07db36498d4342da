"""LRScheduler: set the optimizer's learning rate from a schedule, per step or per epoch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule.train.callbacks.base import Callback, Logs


class LRScheduler(Callback):
    """Drive ``optimizer.lr`` from ``schedule``.

    ``schedule`` is either a function of the step (or epoch) count returning a
    learning rate, or an object with ``step(metric)`` such as
    ``optim.ReduceLROnPlateau`` that adjusts the optimizer itself from a
    monitored metric at each epoch end.

    Args:
        schedule: ``f(t) -> lr`` or a plateau scheduler.
        interval: ``"step"`` (t = optimizer steps taken) or ``"epoch"`` (t =
            epochs completed). Ignored for plateau schedulers. Defaults to ``"step"``.
        monitor: metric fed to a plateau scheduler. Defaults to ``"val_loss"``.
    """

    def __init__(self, schedule: Callable[[int], float] | Any, interval: str = "step",
                 monitor: str = "val_loss"):
        if interval not in ("step", "epoch"):
            raise ValueError(f"LRScheduler: interval must be 'step' or 'epoch', got {interval!r}")
        self.schedule, self.interval, self.monitor = schedule, interval, monitor
        self.plateau = hasattr(schedule, "step") and not callable(schedule)

    def _set(self, t: int) -> None:
        self.trainer.optimizer.lr = float(self.schedule(t))

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if not self.plateau:
            t = self.trainer.global_step if self.interval == "step" else self.trainer.epoch
            self._set(t)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self.plateau and self.interval == "step":
            self._set(self.trainer.global_step)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.plateau:
            key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
            if key in logs:
                self.schedule.step(logs[key])
        elif self.interval == "epoch":
            self._set(epoch + 1)

    def state_dict(self) -> dict[str, Any]:
        if hasattr(self.schedule, "state_dict"):
            return {"schedule": self.schedule.state_dict()}
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "schedule" in state:
            self.schedule.load_state_dict(state["schedule"])
