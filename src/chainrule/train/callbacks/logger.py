"""MetricsLogger: per-epoch (and every N steps) records as JSON lines and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from chainrule.io import dumps_json, remove_stale_temps, write_atomic
from chainrule.train.callbacks.base import Callback, Logs


class MetricsLogger(Callback):
    """Write records to ``metrics.jsonl`` and ``metrics.csv`` in ``directory``.

    Every epoch adds ``{"kind": "epoch", "epoch": e, "step": s, ...logs}``;
    every ``log_every_steps`` steps adds a ``"kind": "step"`` record. Both files
    are rewritten whole through :func:`chainrule.io.write_atomic` (a crash
    leaves the previous version), as strict JSON (NaN/inf are ``null``). After
    a resume, the records the restored state has not reached (steps beyond
    its step, epochs it has not finished) are dropped, so the files read as if
    the run had never stopped, and stale temporary files of an interrupted
    write are removed.

    Args:
        directory: the run directory.
        log_every_steps: step records interval; ``None`` for epochs only. Defaults to ``50``.
    """

    def __init__(self, directory: str | Path, log_every_steps: int | None = 50):
        self.directory = Path(directory)
        self.log_every_steps = log_every_steps
        self.jsonl = self.directory / "metrics.jsonl"
        self.csv = self.directory / "metrics.csv"
        self._records: list[dict[str, Any]] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.trainer.resuming:  # a kill inside write_atomic leaves its temp file
            remove_stale_temps(self.directory, "metrics.*")
        step, epochs_done = self.trainer.global_step, self.trainer.epoch
        records = _read_records(self.jsonl) if self.jsonl.exists() else []
        self._records = [r for r in records if _reached(r, step, epochs_done)]
        if len(self._records) != len(records):
            self._write()

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.trainer.global_step
        if self.log_every_steps and step % self.log_every_steps == 0:
            self._records.append({"kind": "step", "epoch": self.trainer.epoch, "step": step,
                                  **(logs or {})})
            self._write(csv=False)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._records.append({"kind": "epoch", "epoch": epoch, "step": self.trainer.global_step,
                              **(logs or {})})
        self._write()

    def _write(self, csv: bool = True) -> None:
        write_atomic(self.jsonl, "".join(dumps_json(r, indent=None) + "\n"
                                         for r in self._records))
        if csv:
            write_atomic(self.csv, _csv_text([r for r in self._records
                                              if r.get("kind") == "epoch"]))


def _reached(record: dict[str, Any], step: int, epochs_done: int) -> bool:
    """Whether a resumed state at ``step`` with ``epochs_done`` finished epochs includes it.

    An epoch record is kept only when its epoch is finished in the restored state: a
    checkpoint taken at an epoch's last step (same step number) precedes the epoch's end.
    """
    if record.get("kind") == "epoch":
        return record.get("epoch", 0) < epochs_done
    return record.get("step", 0) <= step


def _csv_text(rows: list[dict[str, Any]]) -> str:
    keys = list(dict.fromkeys(k for r in rows for k in r if k != "kind"))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=keys)
    writer.writeheader()
    writer.writerows({k: r.get(k) for k in keys} for r in rows)
    return out.getvalue()


def _read_records(path: Path) -> list[dict[str, Any]]:
    """The complete JSON records of a ``metrics.jsonl`` (a line that does not parse, from a
    file written by an older, appending version, is skipped)."""
    records = []
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
