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
(the grace period is three of them), so it is never retired. A retired trial is marked
FAIL with the reason in its ``error`` attribute, and the storage's stale-trial callback
(:class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`) enqueues its parameters again.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import optuna

OWNER_ATTR = "owner"
RETIRED = "interrupted: "  # how a retired trial's ``error`` attribute starts
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


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

    def _signs_of_life(self, numbers: list[int]) -> tuple[dt.datetime, dict[int, dt.datetime]]:
        """The database's clock and the last heartbeat of each trial that has one."""
        from sqlalchemy import DateTime, Integer, column, func, select, table

        trials = table("trials", column("trial_id", Integer), column("study_id", Integer),
                       column("number", Integer))
        beats = table("trial_heartbeats", column("trial_id", Integer),
                      column("heartbeat", DateTime))
        query = (select(trials.c.number, beats.c.heartbeat)
                 .join_from(trials, beats, trials.c.trial_id == beats.c.trial_id)
                 .where(trials.c.study_id == self.study_id, trials.c.number.in_(numbers)))
        with self.storage.engine.connect() as connection:
            now = connection.execute(select(func.now())).scalar_one()
            rows = connection.execute(query).all()
        # PostgreSQL's now() carries a time zone that the stored heartbeats do not (as Optuna)
        return now.replace(tzinfo=None), {n: beat for n, beat in rows}

    def retire(self, study: optuna.Study, trials: list[optuna.trial.FrozenTrial] | None = None
               ) -> list[int]:
        """Retire the stale RUNNING trials of ``trials`` (read from the study by default);
        returns their numbers."""
        import optuna

        trials = study.get_trials(deepcopy=False) if trials is None else trials
        running = [t for t in trials if t.state == optuna.trial.TrialState.RUNNING]
        if not running:
            self.first_seen.clear()
            self.beats = {}
            return []
        now, beats = self._signs_of_life([t.number for t in running])
        self.first_seen = {t.number: self.first_seen.get(t.number, now) for t in running
                           if t.number not in beats}
        self.beats = {**self.first_seen, **beats}
        retired = []
        for t in running:
            recorded = t.user_attrs.get(OWNER_ATTR)
            if recorded is not None and owner_dead(recorded):
                reason = f"its worker (process {recorded.split('/')[-2]}) died"
            elif (now - self.beats[t.number]).total_seconds() > self.grace:
                reason = f"no heartbeat from its worker for more than {self.grace:g} s"
            else:
                continue
            if self._fail(study, t, reason):
                retired.append(t.number)
        return retired

    def _fail(self, study: optuna.Study, trial: optuna.trial.FrozenTrial, reason: str) -> bool:
        """Mark the trial FAIL and enqueue its retry; False when another worker beat us to it."""
        import optuna

        trial_id = self.storage.get_trial_id_from_study_id_trial_number(self.study_id,
                                                                         trial.number)
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
