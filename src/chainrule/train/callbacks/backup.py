"""BackupAndRestore: resumable checkpoints, resuming, and Ctrl-C that saves before it stops.

Keras's idea: one callback owns the whole "nothing is lost" story, so
``Trainer.fit`` stays a straight loop. It saves :meth:`Trainer.state_dict`
(model, optimizer, data order, random generators, history, callbacks,
regularisers, epoch sums) as ``ckpt-<step>.safetensors`` every N steps
and/or epochs; ``fit(resume=True)`` restores the newest intact one (falling
back to older ones when a file is truncated or fails its checksums) before
any other callback starts; Ctrl-C sets a flag, and at the end of the current
step a checkpoint is saved and ``KeyboardInterrupt`` raised (a second Ctrl-C
interrupts at once).
"""

from __future__ import annotations

import signal
import threading
import warnings
from pathlib import Path
from typing import Any

from chainrule import io
from chainrule.train.callbacks.base import Callback, Logs
from chainrule.train.checkpoints import CheckpointStore


class BackupAndRestore(Callback):
    """Save resumable checkpoints into ``directory``; restore on ``fit(resume=True)``.

    It runs after every other callback at each step and epoch end (what it
    saves has seen them all) and restores before any of them starts.

    Args:
        directory: folder for ``ckpt-<step>.safetensors`` files.
        every_n_steps: also save every this many optimizer steps. Defaults to ``None``.
        every_n_epochs: save at the end of every this many epochs. Defaults to ``1``.
        keep_last: how many checkpoints to keep. Defaults to ``3``.
        save_on_interrupt: catch Ctrl-C (SIGINT, main thread only), save at the end of
            the step, then raise ``KeyboardInterrupt``. Defaults to ``True``.
    """

    restores_state = True

    def __init__(self, directory: str | Path, every_n_steps: int | None = None,
                 every_n_epochs: int | None = 1, keep_last: int = 3,
                 save_on_interrupt: bool = True):
        owner = type(self).__name__
        for name, value in (("every_n_steps", every_n_steps), ("every_n_epochs", every_n_epochs)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{owner}: {name} must be an int >= 1 or None, got {value!r}")
        if isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1:
            raise ValueError(f"{owner}: keep_last must be an int >= 1, got {keep_last!r}")
        self.store = CheckpointStore(directory)
        self.every_n_steps, self.every_n_epochs = every_n_steps, every_n_epochs
        self.keep_last, self.save_on_interrupt = keep_last, save_on_interrupt
        self.interrupted = False
        self._previous_handler: Any = None

    @property
    def directory(self) -> Path:
        return self.store.directory

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.trainer.resuming:
            self.restore()
        if self.save_on_interrupt:
            self._catch_interrupt()

    def restore(self) -> bool:
        """Remove stale temporary files of this folder, then load the newest intact
        checkpoint into the trainer; ``False`` (with a warning) when there is none."""
        io.remove_stale_temps(self.directory)
        found = self.store.load_latest()
        if found is None:
            warnings.warn(f"resume=True but no checkpoint was found in {self.directory}; "
                          "starting from scratch", stacklevel=3)
            return False
        self.trainer.load_state_dict(found[0])
        return True

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.trainer.global_step
        if self.interrupted:
            self.save()
            self.close()
            raise KeyboardInterrupt(f"interrupted at step {step}; checkpoint saved to "
                                    f"{self.directory}")
        if self.every_n_steps and step % self.every_n_steps == 0:
            self.save()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.save()

    def save(self) -> Path:
        """Write the trainer's state now as ``ckpt-<global step>.safetensors``."""
        return self.store.save(self.trainer.state_dict(), self.trainer.global_step,
                               self.keep_last)

    # ------------------------------------------------------------- Ctrl-C
    def _catch_interrupt(self) -> None:
        self.interrupted = False
        if threading.current_thread() is not threading.main_thread():
            return

        def handler(signum: int, frame: Any) -> None:
            if self.interrupted:  # a second Ctrl-C: stop now
                self.close()
                raise KeyboardInterrupt
            self.interrupted = True

        self._previous_handler = signal.signal(signal.SIGINT, handler)

    def close(self) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
            self._previous_handler = None
