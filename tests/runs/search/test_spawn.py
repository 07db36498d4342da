from chainrule.runs.search import spawn


def test_prestarted_workers_are_taken_first_and_the_rest_started():
    spawn.prestart(3)
    early = [proc for _, proc in spawn._started]
    assert len(early) == 2
    threads = spawn.threads_per_worker(3)
    procs = []
    try:
        procs = spawn.take(1, threads) + spawn.take(2, threads)
        assert procs[:2] == early and procs[2] not in early and spawn._started == []
    finally:
        for proc in procs or early:
            proc.stdin.close()  # no job: a worker exits
        assert [proc.wait(300) for proc in procs or early] == [0] * len(procs or early)
