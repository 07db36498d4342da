"""DivergenceGuard: stop a run whose loss became non-finite or blew up, keep good weights."""

from __future__ import annotations

import math
import warnings
from typing import Any

from chainrule.train.callbacks.base import Callback, Logs


class DivergenceGuard(Callback):
    """Stop when the loss is NaN/inf ``max_nonfinite`` times, or exceeds ``factor`` times its
    first value.

    A loss that explodes, or a cost of NaN, almost always means the learning
    rate is too high (or the initialisation is bad). The guard snapshots the
    weights every ``snapshot_every`` steps; it warns at the first non-finite
    loss, and when a rule fires it restores the last snapshot taken before the
    divergence, stops training and records which rule fired at which step in
    ``self.fired`` (also as a warning). ``Trainer`` adds one with
    ``factor=None`` unless one is given (its ``max_nonfinite_losses``).

    Args:
        factor: the loss may not exceed ``factor`` times the first step's loss;
            ``None`` checks only for non-finite losses. Defaults to ``3.0``.
        snapshot_every: steps between weight snapshots. Defaults to ``50``.
        max_nonfinite: stop at this many steps with a NaN/inf loss. Defaults to ``1``.
    """

    def __init__(self, factor: float | None = 3.0, snapshot_every: int = 50,
                 max_nonfinite: int = 1):
        if factor is not None and not factor > 1:
            raise ValueError(f"DivergenceGuard: factor must be > 1 or None, got {factor}")
        for name, value in (("snapshot_every", snapshot_every), ("max_nonfinite", max_nonfinite)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"DivergenceGuard: {name} must be an int >= 1, got {value!r}")
        self.factor, self.snapshot_every = factor, snapshot_every
        self.max_nonfinite = max_nonfinite
        self.initial_loss: float | None = None
        self.nonfinite = 0
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
        if not math.isfinite(loss):
            self.nonfinite += 1
            if self.nonfinite < self.max_nonfinite:
                if self.nonfinite == 1:
                    warnings.warn(f"the loss is {loss} at step {step}; training stops after "
                                  f"{self.max_nonfinite} such steps", stacklevel=2)
                return
            rule = "loss is not finite" + (f" ({self.nonfinite} steps)"
                                           if self.max_nonfinite > 1 else "")
        elif self.initial_loss is None:
            self.initial_loss = loss
            return self._maybe_snapshot(step)
        elif self.factor is not None and loss > self.factor * self.initial_loss:
            rule = f"loss exceeds {self.factor:g}x its initial value {self.initial_loss:.4g}"
        else:
            return self._maybe_snapshot(step)
        self._fire(rule, step, loss)

    def _maybe_snapshot(self, step: int) -> None:
        if step % self.snapshot_every == 0:
            self._take_snapshot()

    def _fire(self, rule: str, step: int, loss: float) -> None:
        self.trainer.model.load_state_dict(self._snapshot)
        self.fired = {"rule": rule, "step": step, "loss": loss,
                      "restored_step": self._snapshot_step}
        self.trainer.stop_training = True
        warnings.warn(f"DivergenceGuard stopped training at step {step}: {rule} (loss {loss:.4g})."
                      f" Restored the weights of step {self._snapshot_step}. The learning rate "
                      "is probably too high, or the initialisation is bad.", stacklevel=3)

    def state_dict(self) -> dict[str, Any]:
        return {"initial_loss": self.initial_loss, "snapshot": self._snapshot,
                "snapshot_step": self._snapshot_step, "fired": self.fired,
                "nonfinite": self.nonfinite}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.initial_loss, self.fired = state["initial_loss"], state["fired"]
        self._snapshot, self._snapshot_step = state["snapshot"], state["snapshot_step"]
        self.nonfinite = state.get("nonfinite", 0)
