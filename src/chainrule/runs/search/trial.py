"""Training one trial: a run folder, the validation split or k folds, the objective value.

A trial's folder ``trial-<n>/`` holds ``config.toml``, ``metrics.jsonl``/``metrics.csv``,
``model.safetensors`` and ``results.json``; under cross-validation each fold is a run
folder ``trial-<n>/fold-<k>/`` of its own and ``results.json`` at the trial's top gives
the mean and the spread over the folds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import io
from chainrule.config.build import Splits, build_data
from chainrule.config.loading import to_toml
from chainrule.config.schema import RunConfig
from chainrule.data import ArrayDataset
from chainrule.runs.folder import CONFIG_FILE, RESULTS_FILE
from chainrule.runs.setup import setup
from chainrule.runs.train import save_model
from chainrule.search.pruning import TrialPruning
from chainrule.train import callbacks as cb

if TYPE_CHECKING:
    import optuna


@dataclass
class Outcome:
    """What a trial's training gave: the objective and what was recorded on the way."""

    value: float
    fold_values: list[float] = field(default_factory=list)
    pruned_epoch: int | None = None
    seconds: float = 0.0
    diverged: str | None = None
    curve: dict[int, float] = field(default_factory=dict)  # {step: monitored value}
    setup: Any = None  # the trained run's Setup (model, preprocessing, data) when kept

    @property
    def spread(self) -> float | None:
        """Standard deviation of the fold values (None without cross-validation)."""
        return float(np.std(self.fold_values)) if len(self.fold_values) > 1 else None


def cv_splits(y: np.ndarray, folds: int, seed: int, regression: bool
              ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train_idx, val_idx)`` of a shuffled k-fold, stratified by class for labels.

    Each sample is in exactly one validation fold (scikit-learn's ``StratifiedKFold``,
    or ``KFold`` for regression targets).
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    if folds < 2:
        raise ValueError(f"cv_splits: folds must be >= 2, got {folds}")
    if regression:
        splitter: Any = KFold(folds, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(y))))
    counts = np.bincount(y)
    if counts[counts > 0].min() < folds:
        raise ValueError(f"search.cv_folds = {folds}: the smallest class of the training data "
                         f"has {counts[counts > 0].min()} samples, fewer than the folds")
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def _subset(ds: Any, idx: np.ndarray) -> ArrayDataset:
    return ArrayDataset(ds.x[idx], ds.y[idx], name=ds.name, classes=ds.classes)


def fold_data(config: RunConfig, folds: int) -> list[Splits]:
    """The configured training data (training and validation parts together) cut in folds."""
    splits = build_data(config.data, config.train.seed)
    pool = splits.train
    if splits.val is not None:
        pool = ArrayDataset(np.concatenate([pool.x, splits.val.x]),
                            np.concatenate([pool.y, splits.val.y]), name=pool.name,
                            classes=pool.classes)
    return [Splits(_subset(pool, tr), _subset(pool, va), None, splits.regression)
            for tr, va in cv_splits(pool.y, folds, config.train.seed, splits.regression)]


def _metric_value(s: Any, history: Any, metric: str) -> float:
    """``metric`` of the trained model: ``val_*`` evaluated on the validation part, others
    the last epoch's training value."""
    if metric.startswith("val_"):
        logs = s.trainer.evaluate(s.splits.val)
        key = metric[4:]
    else:
        logs = {k: v[-1] for k, v in history.history.items()}
        key = metric
    if key not in logs:
        raise ValueError(f"search.metric {metric!r} is not computed by this run; it has "
                         f"{sorted(logs)} (add the metric to train.metrics)")
    return float(logs[key])


class TrialMetrics(cb.MetricsLogger):
    """The run's MetricsLogger, writing ``metrics.jsonl``/``metrics.csv`` once, when the
    trial's training ends, instead of at every epoch and every 50 steps: an interrupted
    trial is run again whole, so the per-epoch copies (two fsyncs each, most of a
    trial's file writes) would never be read."""

    def _write(self, csv: bool = True) -> None:
        """Nothing while training: :meth:`on_train_end` writes the records."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        super()._write()


def train_one(config: RunConfig, run_dir: Path, metric: str, *, splits: Splits | None = None,
              trial: optuna.Trial | None = None, step_offset: int = 0,
              callbacks: tuple[cb.Callback, ...] = (), prune: bool = True,
              verbose: bool | None = False) -> Outcome:
    """Train ``config`` into ``run_dir`` (config, metrics, model, results) and score it.

    ``splits`` replaces the configured data; ``trial`` adds the pruning callback (which
    reports to the trial each epoch only when ``prune``); ``callbacks`` are added to the
    run's own; ``verbose`` is the trainer's progress bar (off by default: a search shows
    its own).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    io.write_atomic(run_dir / CONFIG_FILE, to_toml(config))
    started, cpu_started = time.perf_counter(), time.process_time()
    s = setup(config, splits=splits)
    pruning = (TrialPruning(trial, metric, offset=step_offset, report=prune)
               if trial is not None else None)
    s.trainer.callbacks += [TrialMetrics(run_dir), *callbacks] + ([pruning] if pruning else [])
    history = s.trainer.fit(s.splits.train, val=s.splits.val, epochs=config.train.epochs,
                            batch_size=config.train.batch_size or None, seed=config.train.seed,
                            transform=s.augment, verbose=verbose)
    value = _metric_value(s, history, metric)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    save_model(run_dir, s, None)
    guard = next((c for c in s.trainer.callbacks if isinstance(c, cb.DivergenceGuard)), None)
    outcome = Outcome(value, pruned_epoch=pruning.pruned if pruning else None, seconds=seconds,
                      diverged=guard.fired["rule"] if guard and guard.fired else None,
                      curve=pruning.curve if pruning else {}, setup=s)
    io.write_json(run_dir / RESULTS_FILE, {
        "metric": metric, "value": value, "seconds": seconds, "cpu_seconds": cpu_seconds,
        "epochs_run": len(history.epoch),
        "pruned_epoch": outcome.pruned_epoch, "diverged": outcome.diverged})
    return outcome


def train_trial(config: RunConfig, trial_dir: Path, metric: str, cv_folds: int,
                trial: optuna.Trial | None = None, prune: bool = True) -> Outcome:
    """One trial: on the validation split, or the mean over ``cv_folds`` folds.

    Its files are written atomically, each folder fsynced once when the trial's files are
    all written (before the trial is told to the study).
    """
    with io.deferred_dir_sync():
        return _train_trial(config, trial_dir, metric, cv_folds, trial, prune)


def _train_trial(config: RunConfig, trial_dir: Path, metric: str, cv_folds: int,
                 trial: optuna.Trial | None, prune: bool) -> Outcome:
    if cv_folds == 0:
        return train_one(config, trial_dir, metric, trial=trial, prune=prune)
    folds = fold_data(config, cv_folds)
    outcomes = []
    for k, splits in enumerate(folds):
        outcomes.append(train_one(config, trial_dir / f"fold-{k}", metric, splits=splits,
                                  trial=trial, step_offset=k * config.train.epochs,
                                  prune=prune))
        if outcomes[-1].pruned_epoch is not None:
            break
    values = [o.value for o in outcomes]
    outcome = Outcome(float(np.mean(values)), fold_values=values,
                      pruned_epoch=outcomes[-1].pruned_epoch,
                      seconds=sum(o.seconds for o in outcomes),
                      diverged=next((o.diverged for o in outcomes if o.diverged), None),
                      curve={k: v for o in outcomes for k, v in o.curve.items()})
    trial_dir.mkdir(parents=True, exist_ok=True)
    io.write_atomic(trial_dir / CONFIG_FILE, to_toml(config))
    io.write_json(trial_dir / RESULTS_FILE, {
        "metric": metric, "value": outcome.value, "folds": values, "spread": outcome.spread,
        "seconds": outcome.seconds, "pruned_epoch": outcome.pruned_epoch})
    return outcome
