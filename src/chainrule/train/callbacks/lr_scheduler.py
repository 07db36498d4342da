"""LearningRateScheduler: drive the optimizer's learning rate from a schedule, per step or
per epoch."""

from __future__ import annotations

from typing import Any

from chainrule import optim
from chainrule.train.callbacks.base import Callback, Logs


class LearningRateScheduler(Callback):
    """Step a learning-rate schedule along with training (Keras's name; the optimizer-level
    binding of a schedule is ``optim.LRScheduler``).

    ``schedule`` is a schedule of the step count (``optim.CosineAnnealingLR``,
    ``optim.OneCycleLR``, ... or any ``f(t) -> lr``), which is bound to the
    trainer's optimizer with ``optim.LRScheduler`` (relative schedules use
    the optimizer's learning rate as their base); or an
    ``optim.ReduceLROnPlateau``, which is fed ``monitor`` at each epoch end.

    Args:
        schedule: the schedule, or a plateau scheduler.
        interval: ``"step"`` (advance after every optimizer step) or
            ``"epoch"``. Ignored for plateau schedulers. Defaults to ``"step"``.
        monitor: the metric a plateau scheduler watches. Defaults to ``"val_loss"``.
    """

    def __init__(self, schedule: Any, interval: str = "step", monitor: str = "val_loss"):
        if interval not in ("step", "epoch"):
            raise ValueError(f"LearningRateScheduler: interval must be 'step' or 'epoch', got "
                             f"{interval!r}")
        self.schedule, self.interval, self.monitor = schedule, interval, monitor
        self.plateau = isinstance(schedule, optim.ReduceLROnPlateau)
        self.scheduler: optim.LRScheduler | None = None

    def set_trainer(self, trainer: Any) -> None:
        super().set_trainer(trainer)
        # Bound once, before a resume restores its position: like torch, binding applies
        # the schedule's first value right away.
        if not self.plateau and self.scheduler is None:
            self.scheduler = optim.LRScheduler(trainer.optimizer, self.schedule)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.scheduler is not None and self.interval == "step":
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.plateau:
            key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
            if key in logs:
                self.schedule.step(logs[key])
        elif self.interval == "epoch":
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        owner = self.schedule if self.plateau else self.scheduler
        return {"scheduler": owner.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        (self.schedule if self.plateau else self.scheduler).load_state_dict(state["scheduler"])
