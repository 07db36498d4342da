import subprocess
import sys
import time

import optuna
import pytest

from chainrule.runs.search.stale import OWNER_ATTR, Heartbeat, Reaper, owner, owner_dead
from chainrule.runs.search.storage import open_storage
from chainrule.runs.search.tables import signs_of_life

pytestmark = [pytest.mark.skipif(owner() is None, reason="needs Linux's /proc"),
              pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")]


def test_a_live_process_is_not_dead_and_an_exited_one_is():
    assert not owner_dead(owner())
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    recorded = owner(child.pid)
    assert recorded is not None and not owner_dead(recorded)
    child.communicate(timeout=300)
    assert owner_dead(recorded)


def test_a_reused_pid_is_dead_and_another_machines_process_is_unknown():
    machine, pid, started = owner().rsplit("/", 2)
    assert owner_dead(f"{machine}/{pid}/{int(started) + 1}")  # same pid, later process
    assert not owner_dead(f"another-boot:pid:[1]/{pid}/{int(started) + 1}")


def _trial(storage, study, attrs=None) -> tuple[int, int]:
    """A RUNNING trial as a worker leaves it right after asking, before any heartbeat."""
    trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    for key, value in (attrs or {}).items():
        trial.set_user_attr(key, value)
    return trial.number, trial._trial_id


def check_silent_dead_and_beating_trials(url: str, name: str) -> None:
    """On the database at ``url``: a trial killed before its first heartbeat is retired
    after the grace period (by the database's clock), one whose local process died at
    once, one that beats (another machine's worker) never."""
    storage = open_storage(url)
    study = optuna.create_study(storage=storage, study_name=name)
    abroad = "another-boot:pid:[1]/1/1"  # another machine's worker: only heartbeats tell
    silent, _ = _trial(storage, study)  # killed before its first heartbeat
    beating, beating_id = _trial(storage, study, {OWNER_ATTR: abroad})
    dead, _ = _trial(storage, study, {OWNER_ATTR: owner()[:-1] + "x"})  # died here
    # 3 s, not less: the beating trial's heartbeat and the reaper's look must not be more than
    # the grace period apart, and a test process starved by real-time jobs once stalled ~2 s
    reaper = Reaper(storage, name, grace=3)
    storage.record_heartbeat(beating_id)
    assert reaper.retire(study) == [dead]  # a dead local owner goes at once
    deadline = time.monotonic() + 60
    retired = []
    while not retired:
        assert time.monotonic() < deadline, "the silent trial was never retired"
        time.sleep(0.2)
        storage.record_heartbeat(beating_id)  # what a live worker's thread does
        retired = reaper.retire(study)
    assert retired == [silent]
    trials = study.get_trials(deepcopy=False)
    assert trials[beating].state == optuna.trial.TrialState.RUNNING
    assert "no heartbeat" in trials[silent].user_attrs["error"]
    retries = [t for t in trials if t.system_attrs.get("failed_trial") in (silent, dead)]
    assert sorted(t.system_attrs["failed_trial"] for t in retries) == [silent, dead]
    assert all(t.state == optuna.trial.TrialState.WAITING for t in retries)


def test_a_silent_trial_is_retired_after_the_grace_period_a_beating_one_never(tmp_path):
    check_silent_dead_and_beating_trials(f"sqlite:///{tmp_path / 'study.db'}", "s")


def test_a_retired_trial_is_retired_once_by_two_reapers(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}")
    study = optuna.create_study(storage=storage, study_name="s")
    number, _ = _trial(storage, study, {OWNER_ATTR: owner()[:-1] + "x"})
    first, second = Reaper(storage, "s", grace=1), Reaper(storage, "s", grace=1)
    stale = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    assert first.retire(study) == [number]
    assert second._fail(study, stale[0].number, "again") is False  # lost the race: no second retry
    assert len(study.get_trials(deepcopy=False)) == 2


def test_a_heartbeat_beats_for_the_current_trial_only(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}")
    study = optuna.create_study(storage=storage, study_name="s")
    number, trial_id = _trial(storage, study)
    study_id = storage.get_study_id_from_name("s")
    heartbeat = Heartbeat(storage, 0.02)
    try:
        time.sleep(0.2)  # no trial: no beat
        assert signs_of_life(storage, study_id, [number])[1] == {}
        heartbeat.trial_id = trial_id
        deadline = time.monotonic() + 60
        while number not in signs_of_life(storage, study_id, [number])[1]:
            assert time.monotonic() < deadline, "no heartbeat was recorded"
            time.sleep(0.02)
    finally:
        heartbeat.stop()
    assert not heartbeat._thread.is_alive()
