"""Bootstrap intervals for predictions: refit on resamples, take percentiles (deck 002).

For b = 1..B: draw n training rows with replacement (within each class for a classifier, so
every resample holds every class), refit the model from scratch on them, and predict the
evaluation rows. The ``level`` interval of each prediction is the ((1 - level) / 2,
(1 + level) / 2) percentiles of its B values (2.5th and 97.5th for 95%): the deck's
"uncertainty of the estimated curve", which shrinks as n grows.

The B refits run in ``workers`` worker processes (started by a fork server that imported
chainrule and scikit-learn once and loaded training's compiled kernels, see
:mod:`chainrule.explain.warm_workers`; no BLAS thread pool of this process is forked), each
limited to ``blas_threads`` BLAS threads (threadpoolctl; by default the cores shared out,
``cpu_count // workers``) so the workers do not oversubscribe the cores. The resamples and
per-replicate seeds are drawn up front from ``seed``: the result does not depend on the
number of workers.

What is refitted is either a scikit-learn style estimator (``chainrule.sklearn`` estimators,
a Pipeline, any estimator with ``fit``/``predict``; cloned for each replicate, every
``random_state`` parameter, a Pipeline's steps' too, set per replicate) with training data
``X``, ``y``; or replicates: a picklable object with ``labels`` (what is resampled),
``stratified`` (resample within each class) and ``refit(rows, seed, x_eval, target) ->
predictions``; or a run config (a ``RunConfig`` or the path of a TOML config), whose
replicates are ``chainrule.runs.replicates.ConfigReplicates.of(config)``: its training
split is resampled and trained as the run would be. ``explain`` sits below ``runs``: it
reaches that class only when it is handed a config (the one upward import, named in
tests/test_layering.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.explain.model import positive_proba


@dataclass
class BootstrapResult:
    """Result of :func:`bootstrap`.

    Attributes:
        predictions: (B, n_eval) predictions of each refitted model (P(class ``target``)
            for classifiers).
        lower, upper: the percentile interval of each evaluation row, (n_eval,).
        mean: mean prediction over the replicates, (n_eval,).
        level: the interval's coverage, e.g. 0.95.
    """

    predictions: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    mean: np.ndarray
    level: float

    def to_dict(self) -> dict[str, Any]:
        """JSON values: ``{"B", "level", "mean", "lower", "upper"}`` (lists per row)."""
        return {"B": int(len(self.predictions)), "level": self.level,
                "mean": self.mean.tolist(), "lower": self.lower.tolist(),
                "upper": self.upper.tolist()}


def resample_indices(y: np.ndarray | None, n: int, B: int, rng: np.random.Generator,
                     stratified: bool) -> np.ndarray:
    """(B, n) row indices drawn with replacement; within each class when ``stratified``."""
    if not stratified:
        return rng.integers(0, n, size=(B, n))
    parts = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        parts.append(rows[rng.integers(0, len(rows), size=(B, len(rows)))])
    return np.concatenate(parts, axis=1)


def _refit_estimator(job: tuple) -> np.ndarray:
    """One replicate: clone, fit on the resampled rows, predict the evaluation rows."""
    from sklearn.base import clone

    estimator, X, y, rows, seed, X_eval, target = job
    model = clone(estimator)
    seeds = {k: seed for k in model.get_params() if k.split("__")[-1] == "random_state"}
    model.set_params(**seeds)  # also the steps of a Pipeline
    model.fit(X[rows], y[rows])
    return positive_proba(model, X_eval, target)


def _refit_replicate(job: tuple) -> np.ndarray:
    """One replicate of a replicates object (a run config's): ``refit`` on resampled rows."""
    replicates, rows, seed, X_eval, target = job
    return replicates.refit(rows, seed, X_eval, target)


def _limit_blas(threads: int) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def _run(function: Any, jobs: list[tuple], workers: int, blas_threads: int) -> list:
    from chainrule.train.callbacks.progress import track

    if workers <= 1:
        return list(track(map(function, jobs), len(jobs), "bootstrap refits"))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["chainrule.explain.bootstrap",
                                    "chainrule.explain.warm_workers"])
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_limit_blas,
                             initargs=(blas_threads,)) as pool:
        return list(track(pool.map(function, jobs), len(jobs), "bootstrap refits"))


def bootstrap(config_or_estimator: Any, X_eval: Any, *, X: Any = None, y: Any = None,
              B: int = 50, workers: int | None = None, blas_threads: int | None = None,
              level: float = 0.95, target: int | None = None, seed: int = 0
              ) -> BootstrapResult:
    """Percentile intervals of every prediction on ``X_eval`` from ``B`` refitted models.

    Args:
        config_or_estimator: a run config (``RunConfig`` or TOML path), an unfitted
            estimator (with ``X`` and ``y``), or replicates (see above).
        X_eval: rows to predict, (n_eval, n_features) (raw features for a config).
        X, y: training data for an estimator.
        B: number of bootstrap replicates. Defaults to ``50``.
        workers: worker processes; ``None`` uses ``min(B, os.cpu_count())``, ``1`` runs in
            this process.
        blas_threads: BLAS threads per worker. Defaults to ``cpu_count // workers`` (at
            least 1), so the workers together use the cores once.
        level: interval coverage. Defaults to ``0.95``.
        target: class whose probability is predicted (classifiers). Defaults to the last.
        seed: seed of the resamples and of each replicate's model. Defaults to ``0``.

    Raises:
        ValueError: B < 2, a level outside (0, 1), an estimator without ``X``/``y``.
    """
    if B < 2:
        raise ValueError(f"bootstrap needs B >= 2 replicates, got {B}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    cores = os.cpu_count() or 1
    workers = min(B, cores) if workers is None else max(1, int(workers))
    blas_threads = max(1, cores // workers) if blas_threads is None else int(blas_threads)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(2**31 - 1, size=B)
    x_eval = np.asarray(X_eval, dtype=np.float64)
    if isinstance(config_or_estimator, (str, Path)) or hasattr(config_or_estimator, "train"):
        from chainrule.runs.replicates import ConfigReplicates

        config_or_estimator = ConfigReplicates.of(config_or_estimator)
    if hasattr(config_or_estimator, "refit"):
        replicates = config_or_estimator
        rows = resample_indices(replicates.labels, len(replicates.labels), B, rng,
                                replicates.stratified)
        jobs = [(replicates, rows[b], int(seeds[b]), x_eval, target) for b in range(B)]
        predictions = _run(_refit_replicate, jobs, workers, blas_threads)
    else:
        if X is None or y is None:
            raise ValueError("bootstrap of an estimator needs its training data X and y")
        from sklearn.base import is_classifier

        x, labels = np.asarray(X, dtype=np.float64), np.asarray(y)
        rows = resample_indices(labels, len(x), B, rng, is_classifier(config_or_estimator))
        jobs = [(config_or_estimator, x, labels, rows[b], int(seeds[b]), x_eval, target)
                for b in range(B)]
        predictions = _run(_refit_estimator, jobs, workers, blas_threads)
    preds = np.stack(predictions)
    lower, upper = np.percentile(preds, [50 * (1 - level), 50 * (1 + level)], axis=0)
    return BootstrapResult(preds, lower, upper, preds.mean(axis=0), level)
