import io
import math

import optuna
import pytest
from rich.console import Console

from chainrule.runs.search import run
from chainrule.runs.search.progress import SearchProgress
from chainrule.runs.search.storage import open_storage
from chainrule.runs.search.tables import best_trial, trial_rows
from tests.search.helpers import tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture
def storage(tmp_path):
    return open_storage(f"sqlite:///{tmp_path / 'study.db'}")


def _study(storage, outcomes, direction="maximize"):
    """A study whose trials end as ``outcomes``: a value, "pruned", "fail" or "running"."""
    study = optuna.create_study(storage=storage, study_name="s", direction=direction)
    for outcome in outcomes:
        trial = study.ask()
        if isinstance(outcome, float):
            study.tell(trial, outcome)
        elif outcome == "pruned":
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif outcome == "fail":
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return storage.get_study_id_from_name("s")


@pytest.mark.parametrize("direction, expected", [("maximize", (2, 0.9)),
                                                 ("minimize", (3, 0.1))])
def test_the_best_trial_is_the_best_finite_completed_value(storage, direction, expected):
    study_id = _study(storage, [0.5, "pruned", 0.9, 0.1, "fail", "running", math.inf,
                                -math.inf, 0.9], direction)
    assert best_trial(storage, study_id, direction == "maximize") == expected  # 0.9 twice: 2


def test_no_completed_trial_has_no_best(storage):
    assert best_trial(storage, _study(storage, ["pruned", "running"]), True) is None


def test_the_bar_shows_finished_running_pruned_and_the_best(storage):
    study_id = _study(storage, [0.5, "pruned", 0.75, "running"])
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=150, color_system=None)
    with SearchProgress(5, "val_accuracy", True, console=console) as bar:
        bar.update(trial_rows(storage, study_id), storage, study_id)
    text = out.getvalue()
    assert "3/5" in text and "1 running, 1 pruned, best val_accuracy 0.75 (trial 2)" in text


def test_a_search_shows_a_bar_when_asked_lines_in_a_log_and_nothing_under_ci(
        tmp_path, capsys, monkeypatch):
    raw = tiny({"trials": 2, "strategy": "random", "metric": "val_accuracy",
                "space": {"optimizer.lr": {"log_uniform": [1e-3, 0.3]}}})
    monkeypatch.setenv("CI", "1")
    run(raw, runs_root=tmp_path / "ci", plots=False)
    assert "trials" not in capsys.readouterr().out
    monkeypatch.delenv("CI")
    result = run(raw, runs_root=tmp_path / "log", plots=False)  # stdout is not a terminal
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("trials")]
    assert lines[0].startswith("trials 0/2") and lines[-1].startswith("trials 2/2")
    assert len(lines) == 3  # one per change, not one per look at the study
    assert f"best val_accuracy {result.best['value']:.4g}" in lines[-1]
    result = run(raw, runs_root=tmp_path / "shown", plots=False, progress=True)
    out = capsys.readouterr().out
    assert "2/2" in out and f"best val_accuracy {result.best['value']:.4g}" in out
