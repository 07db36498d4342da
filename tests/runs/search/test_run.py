import json
import signal
import sqlite3
import subprocess
import sys
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
        fold = folder / t["run_dir"] / "fold-1"
        assert (fold / "model.safetensors").exists()
        epochs = [json.loads(line) for line in (fold / "metrics.jsonl").read_text().splitlines()]
        assert [r["epoch"] for r in epochs if r["kind"] == "epoch"] == [0, 1]
        # no pruner: the per-epoch values are stored once, not reported epoch by epoch
        assert sorted(map(int, t["intermediate"])) == [0, 1, 2, 3]  # 2 folds x 2 epochs
    best = max(summary["trials"], key=lambda t: t["value"])
    assert summary["best"]["number"] == best["number"]
    config = load_config(folder / "best.toml")  # a normal training config
    assert config.optimizer.lr == best["params"]["optimizer.lr"]
    assert config.model.layers[0].out_features == best["params"]["model.layers.0.out_features"]
    assert set(summary["importances"]) <= set(SPACE)
    assert summary["plots"] and all((folder / p).exists() for p in summary["plots"])
    assert result.table().row_count == 3
    with closing(sqlite3.connect(folder / "study.db")) as con:  # commits without fsyncs
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)


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
    complete = [t for t in trials if t["state"] == "complete"]
    assert len(complete) == 8 and len({tuple(sorted(t["params"].items())) for t in complete}) == 8
    assert len({t["run_dir"] for t in complete}) == 8
    # a worker starved of CPU for a grace period may have had its trial retired and re-run
    assert all("interrupted" in t["error"] for t in trials if t["state"] != "complete")


def _states(db: Path) -> list[str]:
    """The trial states in ``db``, ``RUNNING+`` for a running trial with its parameters."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        rows = con.execute("SELECT t.state, COUNT(p.param_id) FROM trials t LEFT JOIN "
                           "trial_params p ON p.trial_id = t.trial_id GROUP BY t.trial_id "
                           "ORDER BY t.number").fetchall()
    return [state + ("+" if state == "RUNNING" and n else "") for state, n in rows]


# The search in a process of its own whose trial 1 SIGKILLs that process at the end of its
# second epoch: a deterministic kill mid-trial, with no race against a timer.
KILLED_SEARCH = """
import os, signal, sys
import chainrule.search
from chainrule.runs.search import trial
from chainrule.train.callbacks import Callback

class KillAtEpoch(Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

train_one = trial.train_one

def killing(config, run_dir, metric, **kwargs):
    if run_dir.name == "trial-1":
        kwargs["callbacks"] = (*kwargs.get("callbacks", ()), KillAtEpoch())
    return train_one(config, run_dir, metric, **kwargs)

trial.train_one = killing
chainrule.search.run(eval(sys.argv[1]), runs_root=sys.argv[2], plots=False)
"""


def test_a_search_killed_mid_trial_completes_when_run_again(tmp_path):
    raw = tiny({"trials": 3, "strategy": "random", "space": LR}, train={
        "epochs": 3, "batch_size": 32, "divergence_guard": False})
    killed = subprocess.run([sys.executable, "-c", KILLED_SEARCH, repr(raw), str(tmp_path)],
                            cwd=Path(__file__).parents[3], timeout=900)  # bounded
    assert killed.returncode == -signal.SIGKILL
    db = tmp_path / "tiny-search" / "study.db"
    assert _states(db) == ["COMPLETE", "RUNNING+"]  # left behind by the dead worker
    result = run(raw, runs_root=tmp_path, plots=False)  # bounded: a stall raises
    trials = result.summary["trials"]
    assert sum(t["state"] == "complete" for t in trials) == 3  # none lost, none twice
    failed = [t for t in trials if t["state"] == "fail"]
    assert [t["number"] for t in failed] == [1] and "died" in failed[0]["error"]
    retry = [t for t in trials if t.get("retry_of") == 1]
    assert len(retry) == 1 and retry[0]["params"] == failed[0]["params"]
    assert retry[0]["state"] == "complete"


def test_a_trial_retired_while_its_worker_lives_is_run_again(tmp_path, monkeypatch):
    """Another worker may retire a live trial whose heartbeats stopped for a grace period
    (its machine starved of CPU): its worker carries on with the next trial, the retry
    runs the same parameters, and the trial counts once."""
    from chainrule.runs.search import trial as trial_module
    from chainrule.runs.search.stale import Reaper
    from chainrule.runs.search.storage import open_storage
    from chainrule.train.callbacks import Callback

    class RetiredByAnotherWorker(Callback):
        def __init__(self, trial):
            self.number = trial.number

        def on_epoch_end(self, epoch, logs=None):
            storage = open_storage(f"sqlite:///{tmp_path / 'tiny-search' / 'study.db'}")
            study = optuna.load_study(study_name="tiny", storage=storage)
            reaper = Reaper(storage, "tiny", grace=1)
            assert reaper._fail(study, self.number, "no heartbeat from its worker (test)")

    train_one = trial_module.train_one

    def retiring(config, run_dir, metric, **kwargs):
        if run_dir.name == "trial-1":
            kwargs["callbacks"] = (RetiredByAnotherWorker(kwargs["trial"]),)
        return train_one(config, run_dir, metric, **kwargs)

    monkeypatch.setattr(trial_module, "train_one", retiring)
    result = run(tiny({"trials": 3, "strategy": "random", "space": LR}), runs_root=tmp_path,
                 plots=False)
    trials = result.summary["trials"]
    assert [t["state"] for t in trials] == ["complete", "fail", "complete", "complete"]
    assert "interrupted" in trials[1]["error"]
    assert trials[2]["retry_of"] == 1 and trials[2]["params"] == trials[1]["params"]


def test_the_shipped_search_config_passes_the_checks():
    from chainrule.runs.search.job import _checked, parse

    cfg = _checked(parse("digits_search"))
    assert cfg.n_trials == 30 and cfg.resolved_direction == "maximize"
    assert {k for k, e in cfg.space.items() if e.is_log} == {
        "optimizer.lr", "regularization.l2", "model.layers.0.out_features"}


TWO_WORKERS_DRAW = """
import json, sys
from chainrule.runs.search import run
result = run(eval(sys.argv[1]), workers=2, runs_root=sys.argv[2])
print(json.dumps({"plots": result.summary["plots"], "importances": result.summary["importances"],
                  "matplotlib": "matplotlib" in sys.modules}))
"""


def test_with_two_workers_worker_1_draws_the_plots_while_this_process_fits_importances(
        tmp_path):
    raw = tiny({"trials": 4, "strategy": "random", "space": SPACE})
    done = subprocess.run([sys.executable, "-c", TWO_WORKERS_DRAW, repr(raw), str(tmp_path)],
                          capture_output=True, text=True, timeout=900,
                          cwd=Path(__file__).parents[3])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["matplotlib"] is False  # drawn by the worker process
    assert out["plots"] == ["search_params.png", "search_history.png", "search_scatter.png"]
    folder = tmp_path / "tiny-search"
    assert all((folder / name).stat().st_size > 0 for name in out["plots"])
    assert set(out["importances"]) == set(SPACE)
    assert json.loads((folder / "search.json").read_text())["plots"] == out["plots"]


def test_worker_processes_given_no_job_exit_and_the_error_is_the_one_raised(tmp_path):
    from chainrule.runs.search.pool import Workers
    from chainrule.runs.search.study import Job

    job = Job(tiny(), {"space": LR}, str(tmp_path), f"sqlite:///{tmp_path}/s.db", "s")
    with pytest.raises(KeyError, match="before the study"), Workers(job, 3) as pool:
        raise KeyError("before the study")
    assert [p.poll() for p in pool.procs] == [0, 0]
    assert list(tmp_path.iterdir()) == []


def test_trials_run_with_the_start_up_objects_frozen(tmp_path, monkeypatch):
    """The worker loop runs with what was alive before it frozen (cheap full collections
    between trials) and unfreezes it afterwards."""
    import gc

    from chainrule.runs.search import study

    seen, loop = [], study._loop
    monkeypatch.setattr(study, "_loop", lambda *args: (seen.append(gc.get_freeze_count()),
                                                      loop(*args)))
    before = gc.get_freeze_count()
    run(tiny({"trials": 1, "strategy": "random", "space": LR}), runs_root=tmp_path, plots=False)
    assert seen and seen[0] > before
    assert gc.get_freeze_count() == before
