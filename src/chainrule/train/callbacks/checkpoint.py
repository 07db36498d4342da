"""Checkpoint: BackupAndRestore plus the best model's weights (``best.safetensors``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainrule import io
from chainrule.train.callbacks.backup import BackupAndRestore
from chainrule.train.callbacks.base import Logs
from chainrule.train.callbacks.monitor import improved, resolve_mode


class Checkpoint(BackupAndRestore):
    """Save resumable checkpoints into ``directory`` and, optionally, the best model.

    A checkpoint holds the model, optimizer, schedule position, data order,
    random generators, history and callback state, so ``fit(resume=True)``
    continues bit for bit (see :class:`BackupAndRestore`, which this extends).

    Args:
        directory: folder for ``ckpt-<step>.safetensors`` files.
        every_n_steps: also save every this many optimizer steps. Defaults to ``None``.
        every_n_epochs: save at the end of every this many epochs. Defaults to ``1``.
        keep_last: how many checkpoints to keep. Defaults to ``3``.
        save_best: also write ``best.safetensors`` (model weights) whenever
            ``monitor`` improves. Defaults to ``True``.
        monitor: quantity for ``save_best``. Defaults to ``"val_loss"`` (``"loss"``
            when there is no validation data).
        mode: ``"min"``, ``"max"`` or ``"auto"``. Defaults to ``"auto"``.
        save_on_interrupt: see :class:`BackupAndRestore`. Defaults to ``True``.
    """

    def __init__(self, directory: str | Path, every_n_steps: int | None = None,
                 every_n_epochs: int | None = 1, keep_last: int = 3, save_best: bool = True,
                 monitor: str = "val_loss", mode: str = "auto", save_on_interrupt: bool = True):
        super().__init__(directory, every_n_steps, every_n_epochs, keep_last, save_on_interrupt)
        self.save_best = save_best
        self.monitor, self.mode = monitor, resolve_mode(monitor, mode, "Checkpoint")
        self.best: float | None = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best:
            key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
            if improved(logs.get(key), self.best, self.mode):
                self.best = float(logs[key])
                self.directory.mkdir(parents=True, exist_ok=True)
                io.save(self.trainer.model_state(), self.directory / "best.safetensors",
                        metadata={"epoch": epoch, key: self.best})
        super().on_epoch_end(epoch, logs)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]
