import optuna
import pytest

from chainrule.runs.search import run
from tests.runs.search.test_stale import check_silent_dead_and_beating_trials
from tests.search.helpers import tiny


def test_two_workers_share_one_postgresql_study(postgres_url, tmp_path):
    raw = tiny({"trials": 4, "strategy": "random",
                "space": {"optimizer.lr": {"log_uniform": [1e-3, 0.3]}}})
    result = run(raw, workers=2, storage=postgres_url, study="shared", runs_root=tmp_path,
                 plots=False)
    assert result.summary["storage"].startswith("postgresql+psycopg2://postgres@127.0.0.1:")
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == 4
    numbers = [t["number"] for t in result.summary["trials"] if t["state"] == "complete"]
    assert len(set(numbers)) == 4
    assert not (tmp_path / "tiny-search" / "study.db").exists()  # the study lives in PostgreSQL
    assert len(list((tmp_path / "tiny-search").glob("trial-*"))) >= 4


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_dead_workers_trials_are_retired_on_postgresql(postgres_url):
    check_silent_dead_and_beating_trials(postgres_url, "reaped")
