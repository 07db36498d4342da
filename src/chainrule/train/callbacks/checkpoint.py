"""Checkpoint: save the whole training state every N steps or epochs, and the best model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainrule import io
from chainrule.train.callbacks.base import Callback, Logs
from chainrule.train.callbacks.monitor import improved, resolve_mode
from chainrule.train.checkpoints import CheckpointStore


class Checkpoint(Callback):
    """Save resumable checkpoints into ``directory`` and, optionally, the best model.

    A checkpoint holds the model, optimizer, schedule position, data order,
    random generators, history and callback state, so ``fit(resume=True)``
    continues bit for bit. It is written after every callback has seen the
    step or epoch, keeping the last ``keep_last`` files.

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
    """

    def __init__(self, directory: str | Path, every_n_steps: int | None = None,
                 every_n_epochs: int | None = 1, keep_last: int = 3, save_best: bool = True,
                 monitor: str = "val_loss", mode: str = "auto"):
        for name, value in (("every_n_steps", every_n_steps), ("every_n_epochs", every_n_epochs)):
            if value is not None and value < 1:
                raise ValueError(f"Checkpoint: {name} must be >= 1 or None, got {value}")
        if keep_last < 1:
            raise ValueError(f"Checkpoint: keep_last must be >= 1, got {keep_last}")
        self.store = CheckpointStore(directory)
        self.every_n_steps, self.every_n_epochs = every_n_steps, every_n_epochs
        self.keep_last, self.save_best = keep_last, save_best
        self.monitor, self.mode = monitor, resolve_mode(monitor, mode, "Checkpoint")
        self.best: float | None = None

    @property
    def directory(self) -> Path:
        return self.store.directory

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.every_n_steps and self.trainer.global_step % self.every_n_steps == 0:
            self.trainer.request_checkpoint(self)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.save_best:
            key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
            if improved(logs.get(key), self.best, self.mode):
                self.best = float(logs[key])
                self.store.directory.mkdir(parents=True, exist_ok=True)
                io.save(self.trainer.model_state(), self.directory / "best.safetensors",
                        metadata={"epoch": epoch, key: self.best})
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.trainer.request_checkpoint(self)

    def write(self, state: dict[str, Any], step: int) -> None:
        """Called by the trainer once all callbacks have run for this step."""
        self.store.save(state, step, self.keep_last)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state["best"]
