"""Progress on a terminal (rich): :class:`ProgressBar`, the trainer's epochs and batches
with loss, metrics, throughput and ETA; :func:`track` over any long loop (bootstrap refits);
:func:`live_bar`, the look both share with the search's bar."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from chainrule.train.callbacks.base import Callback, Logs


def interactive() -> bool:
    """True on a terminal outside CI: the only place a live bar helps."""
    return sys.stdout.isatty() and not os.environ.get("CI")


def progress_mode(show: bool | None = None) -> str | None:
    """How long work shows its progress: ``"live"`` (a bar) on a terminal, ``"lines"`` (a
    line per step done) in a log file, None under ``CI``; ``show`` True forces the bar,
    False nothing. One rule for the trainer's, the search's and the ensemble's progress."""
    if show is not None:
        return "live" if show else None
    if interactive():
        return "live"
    return None if os.environ.get("CI") else "lines"


T = TypeVar("T")


def track(items: Iterable[T], total: int, description: str) -> Iterator[T]:
    """``items`` as they come, behind a progress bar (count, elapsed, ETA) on a terminal
    (see :func:`interactive`), silently elsewhere."""
    if not interactive():
        yield from items
        return
    from rich.progress import track as rich_track

    yield from rich_track(items, total=total, description=description)


def live_bar(console: Any = None) -> Any:
    """A rich Progress whose tasks show their description, a bar, done of total, elapsed
    time, ETA and an ``info`` field (give ``info=`` to ``add_task``); call ``start()``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"), console=console, refresh_per_second=5,
        transient=False)


def format_logs(logs: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    parts = []
    for key, value in logs.items():
        if key in skip or not isinstance(value, (int, float)):
            continue
        parts.append(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}")
    return "  ".join(parts)


class ProgressBar(Callback):
    """A live two-line progress display: epochs, and batches of the current epoch.

    Shows the running loss, the learning rate, samples per second and the ETA,
    and prints one summary line per finished epoch. When standard output is not
    a terminal (a log file, ``nohup``) it prints only those lines (as Keras'
    ``verbose=2``), and under ``CI`` nothing, unless ``enabled=True``.

    Args:
        enabled: force the bar on or off (off: no epoch lines either). Defaults to
            ``None`` (auto, as above).
    """

    def __init__(self, enabled: bool | None = None):
        mode = progress_mode(enabled)
        self.enabled, self.lines = mode == "live", mode == "lines"
        self._progress = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if not self.enabled:
            return
        self._progress = live_bar()
        self._progress.start()
        t = self.trainer
        self._epochs = self._progress.add_task("epochs", total=t.epochs, completed=t.epoch,
                                               info="")
        self._batches = self._progress.add_task("batches", total=t.steps_per_epoch, info="")

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        if self._progress is not None:
            self._progress.reset(self._batches, total=self.trainer.steps_per_epoch,
                                 completed=self.trainer.epoch_step)
            self._t0, self._seen = time.perf_counter(), 0

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self._progress is None:
            return
        self._seen += self.trainer.last_batch_size
        rate = self._seen / max(time.perf_counter() - self._t0, 1e-9)
        logs = logs or {}
        info = f"loss {logs.get('loss', float('nan')):.4f}  {rate:,.0f} samples/s"
        self._progress.update(self._batches, advance=1, info=info)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        line = f"epoch {epoch + 1}/{self.trainer.epochs}  " + format_logs(logs or {},
                                                                          skip=("epoch",))
        if self._progress is not None:
            self._progress.update(self._epochs, advance=1)
            self._progress.console.print(line)
        elif self.lines:
            print(line, flush=True)

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
