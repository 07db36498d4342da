"""Search overhead per trial and worker scaling on the digits MLP, in one run.

* Overhead per trial: what a search spends per trial outside the trial's training
  (sampling, storage writes and reads, heartbeats, the worker loop, run-folder files), as
  a fraction of a digits trial's training time (target < 5%). Two figures:

  - wall: a single-worker search of ``--trials`` trials; (span from the first trial's
    start to the last one's end - the trials' training time) / (trials - 1), over the
    median training time. The first trial pays the imports of the training stack and is
    left out of the span.
  - CPU (meaningful on a busy machine too): searches of 2 and of ``--trials`` trials in
    this (warm) process with one BLAS thread (idle OpenBLAS threads spin for a while after
    each call, and their CPU time would land on whatever runs next); the CPU time of the
    difference minus the difference of the trials' training CPU time (``cpu_seconds`` in
    each trial's results.json), per extra trial, over the median training CPU time.
    One-off costs (creating the study, the summary) cancel out.

* Workers: a fixed 16-trial random search (same seed, same space), each run as
  ``python -m chainrule search CONFIG.toml --workers K`` in a fresh process, plots and
  all (``K`` = 1 and 2, alternated ``--repeats`` times); the ratio of the medians of the
  wall times (target <= 0.6x on 2 cores). Each worker's BLAS gets cores // K threads.

* ``--phases``: where one fresh search process spends its CPU and wall time (importing
  the job, opening the storage, creating the study, the workers' run, the importances,
  the plots drawn here) and its worker processes' CPU time, for ``--workers`` K.

A trial is the shipped ``digits_mlp`` (30 epochs by default, ``--epochs``) without early
stopping. Both ratios depend on the trial's length: each process pays about a second of CPU
for its imports and the storage (Optuna, SQLAlchemy, Alembic) and the first trial half a
second more (numba and its cached kernels), and the summary about two (scikit-learn for the
importances, matplotlib and three figures), which do not shrink with more workers. With
K workers, the K - 1 worker processes are forked once the job is loaded and load the
storage's modules while the first process creates the study (fresh interpreters where
forking is unsafe, started early), and worker 1 draws the plots while the first process
fits the importances.

Fresh processes import from Python's compiled-module cache, as on any machine that lets
Python write it (``make bench`` unsets PYTHONDONTWRITEBYTECODE, which this one sets: each
process would compile chainrule's modules again, 0.15 s). The load average before and
after each run is printed and kept in ``--json``: on a shared machine the wall-clock
figures mean little.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from chainrule.config import load_config

SPACE = {"optimizer.lr": {"log_uniform": [3e-4, 3e-2]},
         "regularization.l2": {"log_uniform": [1e-6, 1e-2]},
         "model.layers.0.out_features": {"int": [32, 256], "log": True}}


def digits_config(trials: int, epochs: int) -> dict[str, Any]:
    """The shipped digits MLP with a [search] section (random, no pruning, no early stop,
    no report, no per-layer monitor)."""
    raw = load_config("digits_mlp").model_dump(mode="json", exclude_none=True)
    raw["train"] |= {"epochs": epochs, "report": False}
    for key in ("early_stopping", "monitor_every"):
        raw["train"].pop(key, None)
    raw["search"] = {"trials": trials, "strategy": "random", "pruner": "none",
                     "metric": "val_accuracy", "space": SPACE, "importance": "mdi"}
    return raw


def load() -> float:
    return os.getloadavg()[0]


def _trial_results(search_dir: Path) -> list[dict[str, Any]]:
    return [json.loads((d / "results.json").read_text())
            for d in sorted(search_dir.glob("trial-*")) if (d / "results.json").exists()]


def wall_overhead(trials: int, epochs: int) -> dict[str, Any]:
    """Per-trial overhead of a single-worker search from the trials' start and end times."""
    import optuna

    from chainrule.runs.search import run

    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    before = load()
    try:
        result = run(digits_config(trials, epochs), runs_root=root, plots=False, progress=False)
        study = optuna.load_study(study_name=result.study_name, storage=result.storage)
        done = sorted((t for t in study.trials if t.state.name == "COMPLETE"),
                      key=lambda t: t.datetime_start)
        training = [t.user_attrs["result"]["seconds"] for t in done]
        span = (done[-1].datetime_complete - done[1].datetime_start).total_seconds()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    steady = training[1:]
    per_trial = (span - sum(steady)) / max(len(steady) - 1, 1)
    median = statistics.median(steady)
    return {"per_trial": per_trial, "median_training": median, "ratio": per_trial / median,
            "load_before": before, "load_after": load()}


def _cpu_search(trials: int, epochs: int) -> tuple[float, list[float]]:
    """CPU time of a whole search in this process and its trials' training CPU times."""
    from chainrule.runs.search import run

    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        started = time.process_time()
        result = run(digits_config(trials, epochs), runs_root=root, plots=False, progress=False)
        total = time.process_time() - started
        return total, [r["cpu_seconds"] for r in _trial_results(result.search_dir)]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def cpu_overhead(trials: int, epochs: int) -> dict[str, Any]:
    """Per-trial CPU overhead: the difference of a 2-trial and a ``trials``-trial search,
    with one BLAS thread."""
    from chainrule.threads import get_num_threads, set_num_threads

    previous = get_num_threads()
    set_num_threads(1)
    try:
        _cpu_search(2, epochs)  # warm-up: imports, compiled kernels
        small_total, small = _cpu_search(2, epochs)
        big_total, big = _cpu_search(trials, epochs)
    finally:
        set_num_threads(previous)
    per_trial = ((big_total - small_total) - (sum(big) - sum(small))) / (trials - 2)
    median = statistics.median(big)
    return {"per_trial": per_trial, "median_training": median, "ratio": per_trial / median}


def timed_process_search(raw: dict[str, Any], workers: int) -> dict[str, Any]:
    """Wall time of ``chainrule search CONFIG.toml --workers K`` in a fresh process."""
    from chainrule.config.loading import to_toml, validate

    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    before = load()
    try:
        config = root / "search.toml"
        config.write_text(to_toml(validate(raw)))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "chainrule", "search", str(config),
                        "--workers", str(workers), "--runs", str(root / "runs")],
                       check=True, timeout=3600, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        search_dir = root / "runs" / f"{raw['name']}-search"
        done = len(_trial_results(search_dir))
        plots = json.loads((search_dir / "search.json").read_text())["plots"]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"workers": workers, "wall": wall, "trials_done": done, "plots": len(plots),
            "load_before": before, "load_after": load()}


PHASES = """
import json, resource, sys, time
def cpu(who=resource.RUSAGE_SELF):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime
marks = [("start", cpu(), time.perf_counter())]
from chainrule.runs.search import job as rs, pool, results
marks.append(("import chainrule.runs.search.job", cpu(), time.perf_counter()))
def wrap(owner, name):
    f = getattr(owner, name)
    def timed(*a, **k):
        marks.append(("the rest (best.toml, plots drawn elsewhere, search.json)", cpu(),
                      time.perf_counter()))
        out = f(*a, **k)
        marks.append((name, cpu(), time.perf_counter()))
        return out
    setattr(owner, name, timed)
for owner, name in ((rs, "open_storage"), (rs, "create_study"), (pool.Workers, "run"),
                    (results, "importances"), (results, "write_plots")):
    wrap(owner, name)
rs.run(json.loads(sys.argv[1]), workers=int(sys.argv[2]), runs_root=sys.argv[3])
marks.append(("the rest (best.toml, plots drawn elsewhere, search.json)", cpu(),
              time.perf_counter()))
print(json.dumps({"marks": marks, "children_cpu": cpu(resource.RUSAGE_CHILDREN)}))
"""


def phases(raw: dict[str, Any], workers: int) -> dict[str, Any]:
    """CPU and wall seconds of each phase of one search in a fresh process (the job's
    import, storage, study, the workers' run, importances, plots drawn here, the rest)
    and the CPU seconds of its worker processes."""
    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        out = subprocess.run([sys.executable, "-c", PHASES, json.dumps(raw), str(workers),
                              str(root)], check=True, timeout=3600, capture_output=True,
                             text=True).stdout
        trials = _trial_results(root / f"{raw['name']}-search")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    found = json.loads(out.splitlines()[-1])
    spent: dict[str, list[float]] = {}
    for (_, cpu0, wall0), (name, cpu1, wall1) in itertools.pairwise(found["marks"]):
        total = spent.setdefault(name, [0.0, 0.0])
        total[0] += cpu1 - cpu0
        total[1] += wall1 - wall0
    return {"phases": spent, "children_cpu": found["children_cpu"],
            "training_cpu": sum(t["cpu_seconds"] for t in trials)}


def scaling(epochs: int, repeats: int) -> dict[str, Any]:
    """Wall time of the fixed 16-trial search with 1 and 2 workers, alternated."""
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(repeats):
        for workers in (1, 2):
            runs[workers].append(timed_process_search(digits_config(16, epochs), workers))
    medians = {w: statistics.median(r["wall"] for r in rs) for w, rs in runs.items()}
    return {"runs": runs, "median_wall": medians, "ratio": medians[2] / medians[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10, help="trials of the overhead runs")
    parser.add_argument("--epochs", type=int, default=30,
                        help="epochs per digits trial (default 30: the shipped digits_mlp's)")
    parser.add_argument("--repeats", type=int, default=3, help="1-vs-2-worker pairs")
    parser.add_argument("--phases", action="store_true",
                        help="only: CPU and wall time per phase of one 16-trial search")
    parser.add_argument("--workers", type=int, default=2, help="workers of --phases")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()}, compiled modules cached: "
          f"{'no (PYTHONDONTWRITEBYTECODE)' if sys.dont_write_bytecode else 'yes'}")
    if args.phases:
        found = phases(digits_config(16, args.epochs), args.workers)
        for name, (cpu, wall) in found["phases"].items():
            print(f"{name:56s} CPU {cpu:6.2f} s  wall {wall:6.2f} s")
        print(f"worker processes' CPU {found['children_cpu']:.2f} s; the trials' training "
              f"CPU {found['training_cpu']:.2f} s")
        return
    cpu = cpu_overhead(args.trials, args.epochs)
    print(f"overhead per trial, CPU: {cpu['per_trial'] * 1e3:.0f} ms = {cpu['ratio']:.1%} of "
          f"a digits trial's training CPU ({cpu['median_training']:.2f} s, {args.epochs} "
          "epochs) (target < 5%)")
    wall = wall_overhead(args.trials, args.epochs)
    print(f"overhead per trial, wall: {wall['per_trial'] * 1e3:.0f} ms = {wall['ratio']:.1%} "
          f"of a digits trial's training ({wall['median_training']:.2f} s) (target < 5%); "
          f"load {wall['load_before']:.1f} -> {wall['load_after']:.1f}")
    s = scaling(args.epochs, args.repeats)
    for w, rs in s["runs"].items():
        loads = ", ".join(f"{r['load_before']:.1f}->{r['load_after']:.1f}" for r in rs)
        print(f"16 trials, {w} worker(s), fresh process: "
              + ", ".join(f"{r['wall']:.1f} s" for r in rs) + f" (load {loads})")
    print(f"2 workers / 1 worker: {s['ratio']:.2f}x (target <= 0.6x)")
    if args.json:
        Path(args.json).write_text(json.dumps({"cpu_overhead": cpu, "wall_overhead": wall,
                                               "scaling": s}, indent=2, default=str))


if __name__ == "__main__":
    main()
