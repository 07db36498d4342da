"""Search workers: ``run_workers`` runs K workers on one study, one of them in this
process and the others as ``python -m chainrule.runs.search.worker`` processes reading
their :class:`~chainrule.runs.search.study.Job` as JSON on stdin."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from chainrule.runs.search.study import Job, work

if TYPE_CHECKING:
    import optuna

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _start(job: Job, threads: int, worker: int) -> subprocess.Popen:
    """One worker process; its BLAS gets ``threads`` threads from the environment, set
    before its NumPy loads the library (the worker also limits it at run time)."""
    env = os.environ | {name: str(threads) for name in THREAD_VARIABLES}
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.runs.search.worker"],
                            stdin=subprocess.PIPE, text=True, env=env)
    proc.stdin.write(json.dumps(dataclasses.asdict(job) | {"threads": threads,
                                                             "worker": worker}))
    proc.stdin.close()
    return proc


def _work_here(job: Job, threads: int, storage: optuna.storages.RDBStorage) -> None:
    """Worker 0 in this process, its BLAS limited to ``threads`` and restored afterwards."""
    from chainrule.threads import get_num_threads, set_num_threads

    previous = get_num_threads()
    try:
        work(dataclasses.replace(job, threads=threads, worker=0), storage)
    finally:
        set_num_threads(previous)


def run_workers(job: Job, workers: int, storage: optuna.storages.RDBStorage) -> None:
    """Run ``workers`` workers on the study, each with ``cpu_count // workers`` BLAS
    threads (at least one); with one, it runs in this process as it is. Worker 0 uses
    ``storage`` (the study's, opened by this process).

    Worker 0 runs in this process (which has loaded the training stack already, so one
    process start fewer); the others are fresh interpreters (nothing of this process,
    its threads, its database connections or its ``__main__`` is carried over), started
    first so that they load while worker 0 trains. An error in any worker is raised once
    all have stopped.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        work(job, storage)
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    procs = [_start(job, threads, i) for i in range(1, workers)]
    try:
        _work_here(job, threads, storage)
    except KeyboardInterrupt:  # the workers got the same Ctrl-C: let them record it
        for p in procs:
            p.wait(30)
        raise
    except Exception:
        for p in procs:  # the others finish their trials (as they would have alone)
            p.wait()
        raise
    codes = [p.wait() for p in procs]
    failed = [(i, code) for i, code in enumerate(codes, start=1) if code != 0]
    if failed:
        raise RuntimeError("search workers failed: " + ", ".join(
            f"worker {i} exited with code {code}" for i, code in failed)
            + " (their errors are printed above and kept in search.json)")
