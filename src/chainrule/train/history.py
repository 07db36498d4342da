"""History: what ``fit`` records, per epoch (Keras's ``history.history``) and per step."""

from __future__ import annotations

from typing import Any


class History:
    """Per-epoch and per-step logs of a training run.

    Attributes:
        history: key -> list of per-epoch values (``loss``, ``accuracy``,
            ``val_loss``, ``penalty/l2``, ``lr``, ``time`` ...), as in Keras.
        steps: key -> list of per-step values (``loss``, ``lr``, penalties).
        epoch: the epoch indices that were recorded.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.steps: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def record_step(self, logs: dict[str, float]) -> None:
        n = len(next(iter(self.steps.values()), ()))
        for key, value in logs.items():
            self.steps.setdefault(key, [float("nan")] * n).append(value)
        for column in self.steps.values():
            if len(column) == n:  # a key this step did not log
                column.append(float("nan"))

    def record_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        n = len(self.epoch)
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, [float("nan")] * n).append(value)
        for column in self.history.values():
            if len(column) == n:
                column.append(float("nan"))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __repr__(self) -> str:
        keys = ", ".join(sorted(self.history))
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"

    def state_dict(self) -> dict[str, Any]:
        # Columns as [key, values] pairs: log keys such as "penalty/l2" may hold any character.
        return {"history": [[k, v] for k, v in self.history.items()],
                "steps": [[k, v] for k, v in self.steps.items()], "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.history = {k: list(v) for k, v in state["history"]}
        self.steps = {k: list(v) for k, v in state["steps"]}
        self.epoch = list(state["epoch"])
