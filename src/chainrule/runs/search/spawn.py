"""Starting search worker processes, as cheaply and as early as possible.

A worker process reads JSON lines from a pipe (see :class:`~chainrule.runs.search.pool.
Workers` for the protocol). It is made one of two ways:

- forked from this process (:func:`fork`) once the job is loaded: it starts with the
  training stack (a fresh interpreter spends about a second importing) and loads the
  storage's modules while this process does the same to create the study. Only on Linux,
  and only while this process runs no other Python thread (a fork copies one thread; a
  lock another thread holds would stay held in the child), before this process opens any
  database connection (SQLite's rule: no connection crosses a fork).
- a fresh interpreter (:func:`start`, ``python -m chainrule.runs.search.worker``), which
  spends about a second importing: ``chainrule search --workers K`` starts those with
  :func:`prestart` before it loads the job, when it cannot fork.

:func:`take` gives the processes of a search: prestarted ones first, then forked or new
ones. This module imports nothing heavy, and ``chainrule.runs.search`` loads its job
lazily, so importing it costs nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from typing import Any, TextIO

from chainrule.autograd.ops import parallel

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class WorkerProcess:
    """A worker process and the pipe of JSON lines to it."""

    def __init__(self, process: Any, pipe: TextIO):
        self.process, self.pipe = process, pipe

    def send(self, message: dict[str, Any]) -> None:
        """One JSON line (a worker that has exited is left to its exit code)."""
        try:
            self.pipe.write(json.dumps(message) + "\n")
            self.pipe.flush()
        except (BrokenPipeError, ValueError):  # it exited; ValueError: the pipe is closed
            pass

    def close(self) -> None:
        """The end of the input: a worker stops reading once its work is done."""
        with contextlib.suppress(BrokenPipeError):
            self.pipe.close()

    def poll(self) -> int | None:
        """The exit code, None while it runs (``-N``: killed by signal N)."""
        if isinstance(self.process, subprocess.Popen):
            return self.process.poll()
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit code; :class:`subprocess.TimeoutExpired` after ``timeout`` s."""
        if isinstance(self.process, subprocess.Popen):
            return self.process.wait(timeout)
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired(f"search worker {self.process.pid}", timeout or 0)
        return self.process.exitcode


_started: list[tuple[int, WorkerProcess]] = []  # (BLAS threads, process), not yet taken
_pipes: list[TextIO] = []  # this process's ends of its forked workers' pipes


def threads_per_worker(workers: int) -> int:
    """BLAS threads for each of ``workers`` workers: ``cpu_count // workers``, at least 1."""
    return max(1, (os.cpu_count() or 1) // workers)


def can_fork() -> bool:
    """Whether :func:`fork` is safe here: Linux and no other Python thread running but the
    ops' own pool (autograd/ops/parallel.py), whose threads wait idle between ops and
    which a child replaces with its own."""
    others = [t for t in threading.enumerate() if t is not threading.current_thread()
              and not t.name.startswith(parallel.THREAD_NAME)]
    return sys.platform.startswith("linux") and not others


def start(threads: int) -> WorkerProcess:
    """A fresh interpreter; its BLAS gets ``threads`` threads from the environment, set
    before its NumPy loads the library (the worker also limits it at run time)."""
    env = os.environ | {name: str(threads) for name in THREAD_VARIABLES}
    popen = subprocess.Popen([sys.executable, "-m", "chainrule.runs.search.worker"],
                             stdin=subprocess.PIPE, text=True, env=env)
    return WorkerProcess(popen, popen.stdin)


def fork() -> WorkerProcess:
    """A copy of this process (which must have loaded the job) serving a new pipe; the
    worker limits its BLAS threads at run time."""
    import multiprocessing

    read, write = os.pipe()
    pipe = os.fdopen(write, "w")
    _pipes[:] = [p for p in _pipes if not p.closed] + [pipe]
    process = multiprocessing.get_context("fork").Process(
        target=_serve_forked, args=(read, list(_pipes)), name="chainrule search worker")
    process.start()
    os.close(read)
    return WorkerProcess(process, pipe)


def _serve_forked(read: int, pipes: list[TextIO]) -> None:
    """The forked worker: close this process's copies of the parent's pipe ends (its
    input must end when the parent closes it), load the storage's modules and numba (as
    the parent loads them to create the study), then serve its pipe."""
    from chainrule.runs.search.worker import preload, serve

    for pipe in pipes:
        pipe.close()
    preload()
    with os.fdopen(read) as stream:
        sys.exit(serve(stream))


def prestart(workers: int) -> None:
    """Start the ``workers - 1`` worker processes of a ``workers``-worker search now, for
    the search this process runs next, unless they can be forked later (cheaper).
    Processes never taken read an end of input when this process exits and exit."""
    if workers < 2 or can_fork():
        return
    threads = threads_per_worker(workers)
    _started.extend((threads, start(threads)) for _ in range(workers - 1))


def take(count: int, threads: int) -> list[WorkerProcess]:
    """``count`` worker processes with ``threads`` BLAS threads: the prestarted ones
    (when they match), then forked ones (see the module) or fresh interpreters."""
    ready = [proc for t, proc in _started if t == threads and proc.poll() is None][:count]
    _started[:] = [(t, p) for t, p in _started if p not in ready]
    missing = count - len(ready)
    if missing and can_fork():
        return ready + [fork() for _ in range(missing)]
    return ready + [start(threads) for _ in range(missing)]
