import threading

import pytest

from chainrule.runs.search import spawn


def _close(procs):
    for proc in procs:
        proc.close()  # no job: a worker exits
    assert [proc.wait(300) for proc in procs] == [0] * len(procs)


def test_prestarted_workers_are_taken_first_and_the_rest_started(monkeypatch):
    monkeypatch.setattr(spawn, "can_fork", lambda: False)
    spawn.prestart(2)
    early = [proc for _, proc in spawn._started]
    assert len(early) == 1
    procs = []
    try:
        procs = spawn.take(2, spawn.threads_per_worker(2))
        assert procs[0] == early[0] and procs[1] not in early and spawn._started == []
    finally:
        _close(procs or early)


@pytest.mark.skipif(not spawn.can_fork(), reason="forks only on Linux without threads")
def test_forked_workers_each_see_the_end_of_their_own_input():
    spawn.prestart(3)  # nothing: they will be forked
    assert spawn._started == []
    first, second = spawn.take(2, 1)
    first.close()  # the second holds no copy of the first's pipe: the first ends now
    assert first.wait(300) == 0 and second.poll() is None
    _close([second])


@pytest.mark.skipif(not spawn.can_fork(), reason="forks only on Linux without threads")
def test_a_forked_worker_runs_the_job_it_is_sent_and_records_itself_as_owner(tmp_path):
    import dataclasses

    import optuna

    from chainrule.runs.search.storage import open_storage
    from chainrule.runs.search.study import Job, create_study
    from tests.search.helpers import tiny

    raw = tiny()
    job = Job(raw, {"trials": 1, "strategy": "random",
                    "space": {"optimizer.lr": {"log_uniform": [1e-3, 0.3]}}},
              str(tmp_path), f"sqlite:///{tmp_path / 'study.db'}", "tiny", threads=1, worker=1)
    [worker] = spawn.take(1, 1)  # before any database connection here
    create_study(job, 2, open_storage(job.storage))
    worker.send({"job": dataclasses.asdict(job), "plots": False})
    _close([worker])
    [trial] = optuna.load_study(study_name="tiny", storage=job.storage).trials
    assert trial.state.name == "COMPLETE"
    assert trial.user_attrs["owner"].split("/")[-2] == str(worker.process.pid)


def test_the_ops_idle_threads_do_not_stop_a_fork():
    from chainrule.autograd.ops import parallel

    before = spawn.can_fork()
    parallel.run([lambda: None, lambda: None])  # the ops' pool now has a thread
    assert any(t.name.startswith(parallel.THREAD_NAME) for t in threading.enumerate())
    assert spawn.can_fork() == before
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()  # any other thread does stop it
    try:
        assert not spawn.can_fork()
    finally:
        stop.set()
        other.join()
