"""The study: its storage, the trial loop each worker runs, and local worker processes.

Counting rule (so nothing is lost or counted twice, whatever is killed when): the search
is done when ``trials`` trials are COMPLETE or PRUNED. A worker takes a waiting
(enqueued) trial, or asks for a new one while finished + running trials are fewer than
that; a trial that still finds ``trials`` live trials numbered before it (two workers
asked at the same moment) is stored as FAIL with the user attribute ``surplus`` and
never trained. A worker killed mid-trial leaves its trial RUNNING: any worker (or a
re-run) retires it as :mod:`chainrule.runs.search.stale` describes (at once when the dead
worker was a process of the same machine, else after its heartbeats stop for the grace
period), and Optuna's :class:`~optuna.storages.RetryHeartbeatStaleTrialCallback` enqueues
the same parameters again. A worker waiting for other workers' trials gives up with an
error if no trial shows a sign of life for a long time (a bug, never a normal wait). A
trial interrupted by Ctrl-C is marked FAIL and enqueued again at once. A trial
whose training raises is FAIL with the error stored in its ``error`` attribute, and the
error stops the search (as ``study.optimize`` does).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainrule.config.search import SearchConfig
from chainrule.runs.search.stale import OWNER_ATTR, Heartbeat, Reaper, grace_period, owner, retired
from chainrule.runs.search.storage import open_storage
from chainrule.runs.search.tables import trial_rows
from chainrule.runs.search.trial import Outcome, train_trial
from chainrule.search import space as sp
from chainrule.search.strategy import make_pruner, make_sampler, sample

if TYPE_CHECKING:
    import optuna

    from chainrule.runs.search.progress import SearchProgress

POLL = 0.1  # seconds between looks at the study while waiting for other workers' trials
RESULT_ATTR = "result"  # see _result
FINISHED = ("COMPLETE", "PRUNED")
LIVE = ("COMPLETE", "PRUNED", "RUNNING", "WAITING")


class SurplusTrial(Exception):
    """A trial asked for after the study already had all its trials (stored FAIL, not run)."""


@dataclass
class Job:
    """Everything a worker needs (plain data, so it crosses to a worker process)."""

    raw: dict[str, Any]  # the run config without [search], as a validated dict
    search: dict[str, Any]  # the [search] section
    search_dir: str
    storage: str
    study_name: str
    threads: int | None = None  # BLAS threads for this worker (None: leave as is)
    worker: int = 0

    @property
    def cfg(self) -> SearchConfig:
        return SearchConfig.model_validate(self.search)


def create_study(job: Job, epochs: int, storage: optuna.storages.RDBStorage
                 ) -> optuna.Study:
    """Create (or load) the study once, before any worker starts.

    ``storage`` (from :func:`~chainrule.runs.search.storage.open_storage`, which builds the
    database schema before workers race for it) holds it; a grid's points are enqueued
    once, when none of them is in the study yet.
    """
    import optuna

    cfg = job.cfg
    direction = cfg.resolved_direction
    study = optuna.create_study(storage=storage, study_name=job.study_name,
                                direction=direction, sampler=make_sampler(cfg, cfg.seed),
                                pruner=make_pruner(cfg, epochs), load_if_exists=True)
    stored = study.direction.name.lower()
    if stored != direction:
        raise ValueError(f"study {job.study_name!r} in {job.storage} maximises/minimises "
                         f"differently ({stored}) from this config's {direction}; use another "
                         "--study name")
    if cfg.strategy == "grid" and not study.get_trials(deepcopy=False):
        for point in sp.grid_points(cfg.space):
            study.enqueue_trial(point, skip_if_exists=True)
    return study


class Objective:
    """The function Optuna calls with each trial of one worker."""

    def __init__(self, job: Job, study: optuna.Study, storage: optuna.storages.RDBStorage,
                 heartbeat: Heartbeat):
        from chainrule.config.loading import validate

        self.job, self.cfg, self.study, self.storage = job, job.cfg, study, storage
        self.heartbeat = heartbeat
        self.study_id = storage.get_study_id_from_name(job.study_name)
        self.base = validate(job.raw)
        self.current: int | None = None

    def __call__(self, trial: optuna.Trial) -> float:
        self.current = trial.number
        self.heartbeat.trial_id = trial._trial_id
        try:
            return self._run(trial)
        finally:
            self.heartbeat.trial_id = None

    def _run(self, trial: optuna.Trial) -> float:
        import optuna

        # this process (a forked worker is not its parent): lets a re-run here see at once
        # that it died
        trial.set_user_attr(OWNER_ATTR, owner())
        rows = trial_rows(self.storage, self.study_id)
        rank = sum(1 for r in rows if r.number < trial.number and r.state in LIVE)
        if rank >= self.cfg.n_trials:
            trial.set_user_attr("surplus", True)
            raise SurplusTrial(f"trial {trial.number}: the study already has its "
                               f"{self.cfg.n_trials} trials")
        params = sample(self.study, trial, self.cfg, rank)
        config = sp.config_for(self.job.raw, params)
        config = config.model_copy(update={"name": f"{self.base.name}-trial-{trial.number}"})
        prune = self.cfg.pruner != "none"
        try:
            outcome = train_trial(config, Path(self.job.search_dir) / f"trial-{trial.number}",
                                  self.cfg.metric, self.cfg.cv_folds, trial, prune=prune)
        except Exception as exc:
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}")
            raise
        trial.set_user_attr(RESULT_ATTR, _result(outcome, keep_curve=not prune))
        if outcome.pruned_epoch is not None:
            raise optuna.TrialPruned(f"pruned after epoch {outcome.pruned_epoch}")
        return outcome.value


def _result(outcome: Outcome, keep_curve: bool) -> dict[str, Any]:
    """What a trial records besides its value, as one attribute (one write): ``seconds``,
    ``curve`` (the per-epoch values, unless a pruner got them each epoch), ``folds`` and
    ``spread`` under cross-validation, ``diverged``."""
    result: dict[str, Any] = {"seconds": outcome.seconds}
    if keep_curve:
        result["curve"] = {str(k): v for k, v in outcome.curve.items()}
    if outcome.fold_values:
        result |= {"folds": outcome.fold_values, "spread": outcome.spread}
    if outcome.diverged:
        result["diverged"] = outcome.diverged
    return result


def work(job: Job, storage: optuna.storages.RDBStorage | None = None,
         idle: Callable[[], Any] | None = None, progress: SearchProgress | None = None
         ) -> optuna.Study:
    """One worker: run trials of the study until it has ``trials`` finished ones; returns
    the study.

    ``storage`` is the study's (a worker process opens its own, the schema made).
    ``idle`` is called once, the first time the worker has no trial left to run and
    waits for the others' (to load what comes after the search meanwhile). ``progress``
    is shown the study each time the worker looks at it.
    """
    import optuna

    from chainrule.threads import set_num_threads

    if job.threads is not None:
        set_num_threads(job.threads)
    # Errors are raised (and kept in the trial's attributes); Optuna's per-trial log lines
    # would also report each surplus trial as a failure.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    cfg = job.cfg
    if storage is None:
        storage = open_storage(job.storage, create=False)
    seed = cfg.seed + 7919 * job.worker + len(storage.get_all_trials(
        storage.get_study_id_from_name(job.study_name), deepcopy=False))
    study = optuna.load_study(study_name=job.study_name, storage=storage,
                              sampler=make_sampler(cfg, seed),
                              pruner=make_pruner(cfg, _epochs(job)))
    heartbeat = Heartbeat(storage, cfg.heartbeat)
    # What is alive now (the imported training stack, Optuna, SQLAlchemy) lives as long as
    # the worker: out of the collector's sight, a full collection between trials scans
    # only what the trials made (it took 150-170 ms, once every ~8 digits trials, 18 ms a
    # trial on average, with all of it scanned).
    gc.freeze()
    try:
        _loop(job, study, storage, Objective(job, study, storage, heartbeat), idle, progress)
    finally:
        gc.unfreeze()
        heartbeat.stop()
    return study


def _loop(job: Job, study: optuna.Study, storage: optuna.storages.RDBStorage,
          objective: Objective, idle: Callable[[], Any] | None,
          progress: SearchProgress | None) -> None:
    """The worker loop: retire dead workers' trials, stop when the study is done, wait for
    the others' last trials, or run one more."""
    cfg = job.cfg
    reaper = Reaper(storage, job.study_name, grace_period(cfg.heartbeat))
    stall = Stall(stall_limit(cfg.heartbeat))
    while True:
        rows = trial_rows(storage, reaper.study_id)
        if reaper.retire(study, rows):
            continue  # their retries are enqueued: look again
        if progress is not None:
            progress.update(rows, storage, reaper.study_id)
        states = [r.state for r in rows]
        finished = sum(s in FINISHED for s in states)
        if finished >= cfg.n_trials:
            return
        if "WAITING" not in states and finished + states.count("RUNNING") >= cfg.n_trials:
            stall.check(states, reaper.beats)  # the others' trials: wait, boundedly
            if idle is not None:
                idle, load = None, idle
                load()
            time.sleep(min(POLL, cfg.heartbeat))
            continue
        try:
            study.optimize(objective, n_trials=1, catch=(SurplusTrial,), gc_after_trial=False)
        except KeyboardInterrupt:
            _retry(study, objective.current)
            raise
        except Exception:
            # Another worker may have retired this worker's trial as stale (no heartbeat
            # for a grace period: a machine starved of CPU, a paused process), and telling
            # or writing to a finished trial raises; its retry is enqueued and runs it
            # again, so nothing is lost or counted twice. Any other error stops the search.
            if objective.current is None or not retired(
                    study.get_trials(deepcopy=False)[objective.current]):
                raise


def stall_limit(heartbeat: float) -> float:
    """Seconds a worker waits for other trials without any sign of life before giving up:
    a dead worker's trial is retired after one grace period, so this only ends a bug."""
    return 4 * grace_period(heartbeat) + 10


class Stall:
    """Raises when nothing changes (trial states, heartbeats) for ``limit`` seconds."""

    def __init__(self, limit: float):
        self.limit, self.seen, self.since = limit, None, time.monotonic()

    def check(self, states: list[str], beats: dict[int, Any]) -> None:
        seen = (tuple(states), tuple(sorted(beats.items())))
        if seen != self.seen:
            self.seen, self.since = seen, time.monotonic()
        elif time.monotonic() - self.since > self.limit:
            raise RuntimeError(
                f"search: waited {self.limit:.0f} s for the running trials {sorted(beats)} "
                f"with no heartbeat and no change in the study (states {states}); they "
                "were not retired as stale, which is a bug: re-run the search to continue")


def _retry(study: optuna.Study, number: int | None) -> None:
    """Enqueue an interrupted trial's parameters again (Optuna's retry callback)."""
    import optuna

    if number is None:
        return
    trial = study.get_trials(deepcopy=False)[number]
    if trial.state == optuna.trial.TrialState.FAIL and "surplus" not in trial.user_attrs:
        optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=3)(study, trial)


def _epochs(job: Job) -> int:
    return int(job.raw.get("train", {}).get("epochs", 10))
