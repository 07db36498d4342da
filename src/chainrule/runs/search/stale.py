"""Retiring the trials of dead workers, so a re-run (or a live worker) takes them over.

A worker killed mid-trial leaves its trial RUNNING in the study. Optuna's
:func:`optuna.storages.fail_stale_trials` fails a RUNNING trial only when its heartbeat
row is older than the grace period, and skips a trial that has no heartbeat row at all:
the heartbeat thread records its first beat a moment after the trial is created and has
started writing its parameters, so a worker killed in that moment left a trial that was
never retired, and a re-run waited for it forever. :class:`Reaper` retires a RUNNING
trial when

- its owner (``user_attrs["owner"]``, see :func:`owner`) is a process of this machine
  and pid namespace that no longer exists (at once), or
- its last sign of life is older than the grace period: its last heartbeat, or, for a
  trial without any, the moment this reaper first saw it running. Times are the
  database's own clock (``now()``), so workers on several machines need no common clock.

A trial of a live worker, here or on another machine, beats every ``heartbeat`` seconds
(:class:`Heartbeat`; the grace period is three of them), so it is never retired. A
retired trial is marked FAIL with the reason in its ``error`` attribute, and the storage's
stale-trial callback (:class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`)
enqueues its parameters again.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from chainrule.runs.search.tables import OWNER_ATTR, TrialRow, signs_of_life, trial_rows

if TYPE_CHECKING:
    import optuna

__all__ = ["OWNER_ATTR", "RETIRED", "Heartbeat", "Reaper", "grace_period", "owner", "owner_dead",
           "retired"]
RETIRED = "interrupted: "  # how a retired trial's ``error`` attribute starts
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def grace_period(heartbeat: float) -> float:
    """Seconds without a heartbeat after which a running trial counts as dead: three
    beats, at least two seconds."""
    return max(2.0, 3 * heartbeat)


class Heartbeat:
    """Records a heartbeat for this worker's running trial (``trial_id``, None between
    trials) every ``interval`` seconds, from one thread for the worker's life.

    Optuna's heartbeat starts a thread per trial that writes at once, in the moment the
    trial's first writes are made (SQLite then makes one of them wait); here the first
    beat comes one interval into a trial, and until then the reaper judges the trial by
    when it first saw it running, with the same grace period. Call :meth:`stop` at the end.
    """

    def __init__(self, storage: optuna.storages.RDBStorage, interval: float):
        self.storage, self.interval = storage, interval
        self.trial_id: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="search heartbeat",
                                        daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            trial_id = self.trial_id
            if trial_id is not None:
                self.storage.record_heartbeat(trial_id)

    def stop(self) -> None:
        """End the thread (at once; a beat being written is finished first)."""
        self._stop.set()
        self._thread.join()


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces
    return None if fields[0] in ("Z", "X") else fields[19]


def _machine() -> str | None:
    """This kernel's boot id and pid namespace: pids are comparable only within both."""
    try:
        return f"{_BOOT_ID.read_text().strip()}:{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return None


def owner(pid: int | None = None) -> str | None:
    """``"<boot id>:<pid namespace>/<pid>/<start time>"`` of a process (this one by default);
    None where ``/proc`` cannot tell (not Linux)."""
    pid = os.getpid() if pid is None else pid
    machine, started = _machine(), _start_time(pid)
    if machine is None or started is None:
        return None
    return f"{machine}/{pid}/{started}"


def owner_dead(recorded: str) -> bool:
    """True when ``recorded`` (an :func:`owner` string) names a process of this machine and
    pid namespace that has exited (or whose pid now belongs to a later process); False when
    it is alive or belongs to another machine, which only heartbeats can tell about."""
    machine, pid, started = recorded.rsplit("/", 2)
    return machine == _machine() and _start_time(int(pid)) != started


def retired(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether a reaper retired the trial (FAIL, its worker presumed dead)."""
    return trial.state.name == "FAIL" and str(trial.user_attrs.get("error", "")).startswith(
        RETIRED)


class Reaper:
    """Finds and retires the RUNNING trials of dead workers in one study (see the module).

    Args:
        storage: the study's RDB storage (with a heartbeat interval and stale callback).
        study_name: the study's name in it.
        grace: seconds without a sign of life after which a trial is retired.
    """

    def __init__(self, storage: optuna.storages.RDBStorage, study_name: str, grace: float):
        self.storage, self.grace = storage, grace
        self.study_id = storage.get_study_id_from_name(study_name)
        self.first_seen: dict[int, dt.datetime] = {}
        self.beats: dict[int, dt.datetime] = {}  # running trial number -> last sign of life

    def retire(self, study: optuna.Study, rows: list[TrialRow] | None = None) -> list[int]:
        """Retire the stale RUNNING trials among ``rows`` (read from the study by default,
        see :func:`~chainrule.runs.search.tables.trial_rows`); returns their numbers."""
        rows = trial_rows(self.storage, self.study_id) if rows is None else rows
        running = [r for r in rows if r.state == "RUNNING"]
        if not running:
            self.first_seen.clear()
            self.beats = {}
            return []
        now, beats = signs_of_life(self.storage, self.study_id, [r.number for r in running])
        self.first_seen = {r.number: self.first_seen.get(r.number, now) for r in running
                           if r.number not in beats}
        self.beats = {**self.first_seen, **beats}
        retired = []
        for r in running:
            if r.owner is not None and owner_dead(r.owner):
                reason = f"its worker (process {r.owner.split('/')[-2]}) died"
            elif (now - self.beats[r.number]).total_seconds() > self.grace:
                reason = f"no heartbeat from its worker for more than {self.grace:g} s"
            else:
                continue
            if self._fail(study, r.number, reason):
                retired.append(r.number)
        return retired

    def _fail(self, study: optuna.Study, number: int, reason: str) -> bool:
        """Mark trial ``number`` FAIL and enqueue its retry; False when another worker beat
        us to it."""
        import optuna

        trial_id = self.storage.get_trial_id_from_study_id_trial_number(self.study_id, number)
        try:
            self.storage.set_trial_user_attr(trial_id, "error", RETIRED + reason)
            if not self.storage.set_trial_state_values(trial_id, optuna.trial.TrialState.FAIL):
                return False
        except optuna.exceptions.UpdateFinishedTrialError:
            return False
        callback = self.storage.get_heartbeat_stale_trial_callback()
        if callback is not None:
            callback(study, self.storage.get_trial(trial_id))
        return True
