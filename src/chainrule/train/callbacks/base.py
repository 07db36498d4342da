"""The callback protocol: a few ``on_*`` hooks that ``Trainer.fit`` calls in order.

``fit`` calls ``on_train_begin``, then per epoch ``on_epoch_begin(epoch)``,
per batch ``on_batch_begin(batch)`` / ``on_batch_end(batch, logs)``, then
``on_epoch_end(epoch, logs)``, and finally ``on_train_end(logs)``. ``logs``
holds the step's ``loss``, ``lr`` and ``penalty/<name>`` values at batch end,
and at epoch end the epoch's means, metrics and ``val_``-prefixed validation
metrics. A callback stops training by setting ``self.trainer.stop_training``.
Callbacks with state that must survive a resume implement ``state_dict`` and
``load_state_dict`` (nested dicts of arrays and JSON values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainrule.train.trainer import Trainer

Logs = dict[str, Any]


class Callback:
    """Base class: every hook is a no-op; ``self.trainer`` is set by ``fit``."""

    trainer: Trainer | None = None

    def set_trainer(self, trainer: Trainer) -> None:
        self.trainer = trainer

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch (after a resume has restored state)."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the start of each epoch (0-based)."""

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training step; ``batch`` counts within the epoch."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each optimizer step with ``{'loss', 'lr', 'penalty/...'}``."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after each epoch with its mean loss, metrics and ``val_`` metrics."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once when training ends, also after an early stop."""

    def state_dict(self) -> dict[str, Any]:
        """State to checkpoint so that a resumed run behaves as an uninterrupted one."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks: list[Callback], trainer: Trainer):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_trainer(trainer)

    def __iter__(self):
        return iter(self.callbacks)

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def state_dict(self) -> dict[str, Any]:
        return {f"{i}_{type(cb).__name__}": cb.state_dict() for i, cb in
                enumerate(self.callbacks)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for i, cb in enumerate(self.callbacks):
            key = f"{i}_{type(cb).__name__}"
            if key in state:
                cb.load_state_dict(state[key])
