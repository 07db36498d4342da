import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import optuna
import pytest

from chainrule.config import ConfigError, load_config
from chainrule.runs.search import run
from tests.search.helpers import tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)
LR = {"optimizer.lr": {"log_uniform": [1e-3, 0.3]}}
SPACE = {**LR, "regularization.l2": {"log_uniform": [1e-6, 1e-2]},
         "model.layers.0.out_features": {"int": [4, 16], "log": True}}


def test_a_search_writes_trials_best_config_summary_and_plots(tmp_path):
    raw = tiny({"trials": 3, "strategy": "random", "metric": "val_accuracy", "cv_folds": 2,
                "space": SPACE})
    result = run(raw, runs_root=tmp_path)
    folder = tmp_path / "tiny-search"
    summary = json.loads((folder / "search.json").read_text())
    assert summary == result.summary | {"best": summary["best"]}
    assert {"study", "direction", "metric", "best", "trials", "importances", "plots"} <= set(
        summary)
    assert summary["direction"] == "maximize" and summary["metric"] == "val_accuracy"
    assert [t["number"] for t in summary["trials"]] == [0, 1, 2]
    for t in summary["trials"]:
        assert t["state"] == "complete" and set(t["params"]) == set(SPACE)
        assert len(t["folds"]) == 2 and t["spread"] >= 0 and t["seconds"] > 0
        for name in ("config.toml", "results.json"):
            assert (folder / t["run_dir"] / name).exists()
        assert (folder / t["run_dir"] / "fold-1" / "model.safetensors").exists()
    best = max(summary["trials"], key=lambda t: t["value"])
    assert summary["best"]["number"] == best["number"]
    config = load_config(folder / "best.toml")  # a normal training config
    assert config.optimizer.lr == best["params"]["optimizer.lr"]
    assert config.model.layers[0].out_features == best["params"]["model.layers.0.out_features"]
    assert set(summary["importances"]) <= set(SPACE)
    assert summary["plots"] and all((folder / p).exists() for p in summary["plots"])
    assert result.table().row_count == 3


def test_a_bad_range_stops_before_any_trial(tmp_path):
    raw = tiny({"trials": 2, "space": {"model.layers.0.p": {"uniform": [0.1, 0.5]}}})
    with pytest.raises(ConfigError, match="search.space.model.layers.0.p"):
        run(raw, runs_root=tmp_path)
    assert not (tmp_path / "tiny-search").exists()


def test_running_again_continues_the_same_study(tmp_path):
    raw = tiny({"trials": 2, "strategy": "random", "space": LR})
    first = run(raw, runs_root=tmp_path, plots=False)
    again = run(raw, trials=3, runs_root=tmp_path, plots=False)
    assert [t["number"] for t in again.summary["trials"]] == [0, 1, 2]
    assert again.summary["trials"][:2] == first.summary["trials"]


def test_two_workers_cover_a_grid_exactly_once(tmp_path):
    space = {"optimizer.lr": {"grid": [0.01, 0.1]}, "train.batch_size": {"grid": [16, 32]},
             "model.layers.0.out_features": {"choice": [4, 8]}}
    result = run(tiny({"strategy": "grid", "space": space}), workers=2, runs_root=tmp_path,
                 plots=False)
    trials = result.summary["trials"]
    assert all(t["state"] == "complete" for t in trials) and len(trials) == 8
    points = {tuple(sorted(t["params"].items())) for t in trials}
    assert len(points) == 8
    assert len({t["run_dir"] for t in trials}) == 8


def _states(db: Path) -> list[str]:
    """The trial states in ``db``, read-only (an Optuna storage from here could race with
    the search creating the tables), ``RUNNING+`` for a running trial that has sampled its
    parameters; none while the tables are not there yet."""
    if not db.exists():
        return []
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
            rows = con.execute("SELECT t.state, COUNT(p.param_id) FROM trials t LEFT JOIN "
                               "trial_params p ON p.trial_id = t.trial_id GROUP BY t.trial_id "
                               "ORDER BY t.number").fetchall()
    except sqlite3.Error:
        return []
    return [state + ("+" if state == "RUNNING" and n else "") for state, n in rows]


@pytest.mark.skip(reason="hangs in a clean CI run: after the SIGKILL, optuna's fail_stale_trials "
                         "never retires the dead worker's trial, so run() waits forever "
                         "(runs/search/study.py's work loop); to fix before re-enabling")
def test_a_search_killed_mid_trial_completes_when_run_again(tmp_path):
    raw = tiny({"trials": 4, "strategy": "random", "space": LR},
               train={"epochs": 40, "batch_size": 16, "divergence_guard": False})
    script = (f"import chainrule.search as s; s.run({raw!r}, runs_root={str(tmp_path)!r}, "
              "plots=False)")
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2])
    db = tmp_path / "tiny-search" / "study.db"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        states = _states(db)
        if "COMPLETE" in states and states[-1] == "RUNNING+":
            break
        time.sleep(0.05)
    assert worker.poll() is None, "the search ended before it could be killed"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    killed = len(_states(db)) - 1
    assert _states(db)[killed] == "RUNNING+"  # left behind by the dead worker
    result = run(raw, runs_root=tmp_path, plots=False)
    trials = result.summary["trials"]
    assert sum(t["state"] == "complete" for t in trials) == 4  # none lost, none twice
    failed = [t for t in trials if t["state"] == "fail"]
    assert [t["number"] for t in failed] == [killed]
    retry = [t for t in trials if t.get("retry_of") == killed]
    assert len(retry) == 1 and retry[0]["params"] == failed[0]["params"]


def test_the_shipped_search_config_passes_the_checks():
    from chainrule.runs.search import _checked, parse

    cfg = _checked(parse("digits_search"))
    assert cfg.n_trials == 30 and cfg.resolved_direction == "maximize"
    assert {k for k, e in cfg.space.items() if e.is_log} == {
        "optimizer.lr", "regularization.l2", "model.layers.0.out_features"}
