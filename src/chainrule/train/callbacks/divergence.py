"""DivergenceGuard: stop a run whose loss became non-finite or blew up, keep good weights."""

from __future__ import annotations

import math
import warnings
from typing import Any

from chainrule.train.callbacks.base import Callback, Logs


class DivergenceGuard(Callback):
    """Stop when the loss is NaN/inf or exceeds ``factor`` times its first value.

    A loss that explodes, or a cost of NaN, almost always means the learning
    rate is too high (or the initialisation is bad). The guard snapshots the
    weights every ``snapshot_every`` steps; when a rule fires it restores the
    last snapshot taken before the divergence, stops training and records
    which rule fired at which step in ``self.fired`` (also as a warning).

    Args:
        factor: the loss may not exceed ``factor`` times the first step's loss.
            Defaults to ``3.0``.
        snapshot_every: steps between weight snapshots. Defaults to ``50``.
    """

    def __init__(self, factor: float = 3.0, snapshot_every: int = 50):
        if factor <= 1:
            raise ValueError(f"DivergenceGuard: factor must be > 1, got {factor}")
        if snapshot_every < 1:
            raise ValueError(f"DivergenceGuard: snapshot_every must be >= 1, got "
                             f"{snapshot_every}")
        self.factor, self.snapshot_every = factor, snapshot_every
        self.initial_loss: float | None = None
        self.fired: dict[str, Any] | None = None
        self._snapshot: dict | None = None
        self._snapshot_step = 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._take_snapshot()

    def _take_snapshot(self) -> None:
        self._snapshot = self.trainer.model.state_dict()
        self._snapshot_step = self.trainer.global_step

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        step = self.trainer.global_step
        if self.initial_loss is None and math.isfinite(loss):
            self.initial_loss = loss
        if not math.isfinite(loss):
            rule = "loss is not finite"
        elif self.initial_loss is not None and loss > self.factor * self.initial_loss:
            rule = f"loss exceeds {self.factor:g}x its initial value {self.initial_loss:.4g}"
        else:
            if step % self.snapshot_every == 0:
                self._take_snapshot()
            return
        self.trainer.model.load_state_dict(self._snapshot)
        self.fired = {"rule": rule, "step": step, "loss": loss,
                      "restored_step": self._snapshot_step}
        self.trainer.stop_training = True
        warnings.warn(f"DivergenceGuard stopped training at step {step}: {rule} (loss {loss:.4g})."
                      f" Restored the weights of step {self._snapshot_step}. The learning rate "
                      "is probably too high, or the initialisation is bad.", stacklevel=2)

    def state_dict(self) -> dict[str, Any]:
        return {"initial_loss": self.initial_loss, "snapshot": self._snapshot,
                "snapshot_step": self._snapshot_step, "fired": self.fired}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.initial_loss, self.fired = state["initial_loss"], state["fired"]
        self._snapshot, self._snapshot_step = state["snapshot"], state["snapshot_step"]
