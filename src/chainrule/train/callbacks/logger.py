"""MetricsLogger: per-epoch (and every N steps) records as JSON lines and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

from chainrule.io import write_atomic
from chainrule.train.callbacks.base import Callback, Logs


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class MetricsLogger(Callback):
    """Append records to ``metrics.jsonl`` and rewrite ``metrics.csv`` in ``directory``.

    Every epoch adds ``{"kind": "epoch", "epoch": e, "step": s, ...logs}``;
    every ``log_every_steps`` steps adds a ``"kind": "step"`` record. After a
    resume, records beyond the restored step are dropped before appending, so
    the file reads as if the run had never stopped.

    Args:
        directory: the run directory.
        log_every_steps: step records interval; ``None`` for epochs only. Defaults to ``50``.
    """

    def __init__(self, directory: str | Path, log_every_steps: int | None = 50):
        self.directory = Path(directory)
        self.log_every_steps = log_every_steps
        self.jsonl = self.directory / "metrics.jsonl"
        self.csv = self.directory / "metrics.csv"

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        step = self.trainer.global_step
        if self.jsonl.exists():
            kept = [line for line in self.jsonl.read_text().splitlines()
                    if _parses(line) and json.loads(line).get("step", 0) <= step]
            write_atomic(self.jsonl, "".join(line + "\n" for line in kept))

    def _append(self, record: dict[str, Any]) -> None:
        with open(self.jsonl, "a") as fh:
            fh.write(json.dumps({k: _clean(v) for k, v in record.items()}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.trainer.global_step
        if self.log_every_steps and step % self.log_every_steps == 0:
            self._append({"kind": "step", "epoch": self.trainer.epoch, "step": step,
                          **(logs or {})})

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._append({"kind": "epoch", "epoch": epoch, "step": self.trainer.global_step,
                      **(logs or {})})
        self._write_csv()

    def _write_csv(self) -> None:
        records = [json.loads(line) for line in self.jsonl.read_text().splitlines()
                   if _parses(line)]
        rows = [r for r in records if r.get("kind") == "epoch"]
        keys = list(dict.fromkeys(k for r in rows for k in r if k != "kind"))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=keys)
        writer.writeheader()
        writer.writerows({k: r.get(k) for k in keys} for r in rows)
        write_atomic(self.csv, out.getvalue())


def _parses(line: str) -> bool:
    """A complete JSON record (a crash can leave a half-written last line)."""
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return bool(line.strip())

