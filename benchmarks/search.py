"""Search overhead and worker scaling on the digits MLP.

* Overhead per trial: a single-worker search of ``--trials`` digits trials; the time the
  search spends outside the trials' training (sampling, storage writes and reads,
  heartbeats, the worker loop, writing run folders) divided by the number of trials,
  as a fraction of a trial's median training time (target < 5%). The one-off costs
  (creating the study, the summary with importances) are reported apart.
* Workers: a fixed 16-trial random search (same seed, same space) with 1 worker and
  with 2 worker processes (each with one BLAS thread), alternated ``--repeats`` times;
  the ratio of the medians of the wall times (target <= 0.6x on 2 cores).

The machine may be shared: the load average before and after each run is printed and
kept in ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from chainrule.config import load_config

SPACE = {"optimizer.lr": {"log_uniform": [3e-4, 3e-2]},
         "regularization.l2": {"log_uniform": [1e-6, 1e-2]},
         "model.layers.0.out_features": {"int": [32, 256], "log": True}}


def digits_config(trials: int, epochs: int) -> dict[str, Any]:
    """The shipped digits MLP with a [search] section (random, no pruning, no early stop)."""
    raw = load_config("digits_mlp").model_dump(mode="json", exclude_none=True)
    raw["train"] |= {"epochs": epochs}
    raw["train"].pop("early_stopping", None)
    raw["search"] = {"trials": trials, "strategy": "random", "metric": "val_accuracy",
                     "space": SPACE, "importance": "mdi"}
    return raw


def load() -> float:
    return os.getloadavg()[0]


def timed_search(raw: dict[str, Any], workers: int) -> dict[str, Any]:
    """One search in a fresh folder: wall time of the whole run and of its phases."""
    import optuna

    from chainrule.runs.search import run

    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    before = load()
    started = time.perf_counter()
    try:
        result = run(raw, workers=workers, runs_root=root, plots=False)
        wall = time.perf_counter() - started
        study = optuna.load_study(study_name=result.study_name, storage=result.storage)
        trials = [t for t in study.trials if t.state.name == "COMPLETE"]
        first = min(t.datetime_start for t in trials)
        last = max(t.datetime_complete for t in trials)
        training = [t.user_attrs["seconds"] for t in trials]
        return {"workers": workers, "wall": wall, "trials_span": (last - first).total_seconds(),
                "training": training, "load_before": before, "load_after": load()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def overhead(trials: int, epochs: int) -> dict[str, Any]:
    """Per-trial overhead of a single-worker search, as a fraction of a trial's training."""
    r = timed_search(digits_config(trials, epochs), workers=1)
    # The first trial pays the imports of the training stack (sklearn, the datasets), as
    # a plain `chainrule train` would; the loop's overhead is read from the others.
    steady = r["training"][1:]
    span = r["trials_span"] - r["training"][0]
    per_trial = (span - sum(steady)) / max(len(steady) - 1, 1)
    median = statistics.median(steady)
    return {**r, "per_trial_overhead": per_trial, "median_training": median,
            "overhead_fraction": per_trial / median,
            "one_off": r["wall"] - r["trials_span"]}


def scaling(epochs: int, repeats: int) -> dict[str, Any]:
    """Wall time of the fixed 16-trial search with 1 and 2 workers, alternated."""
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(repeats):
        for workers in (1, 2):
            runs[workers].append(timed_search(digits_config(16, epochs), workers))
    medians = {w: statistics.median(r["wall"] for r in rs) for w, rs in runs.items()}
    return {"runs": runs, "median_wall": medians, "ratio": medians[2] / medians[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=8, help="trials of the overhead run")
    parser.add_argument("--epochs", type=int, default=10, help="epochs per digits trial")
    parser.add_argument("--repeats", type=int, default=1, help="1-vs-2-worker pairs")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()}")
    o = overhead(args.trials, args.epochs)
    print(f"overhead per trial {o['per_trial_overhead'] * 1e3:.0f} ms = "
          f"{o['overhead_fraction']:.1%} of a digits trial's training "
          f"({o['median_training']:.2f} s, {args.epochs} epochs); one-off (study, summary) "
          f"{o['one_off']:.1f} s; load {o['load_before']:.1f} -> {o['load_after']:.1f}")
    s = scaling(args.epochs, args.repeats)
    for w, rs in s["runs"].items():
        loads = ", ".join(f"{r['load_before']:.1f}->{r['load_after']:.1f}" for r in rs)
        print(f"16 trials, {w} worker(s): " + ", ".join(f"{r['wall']:.1f} s" for r in rs)
              + f" (load {loads})")
    print(f"2 workers / 1 worker: {s['ratio']:.2f}x (target <= 0.6x)")
    if args.json:
        Path(args.json).write_text(json.dumps({"overhead": o, "scaling": s}, indent=2,
                                              default=str))


if __name__ == "__main__":
    main()
