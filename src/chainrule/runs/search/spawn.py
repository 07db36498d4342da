"""Starting search worker processes, as early as possible.

A worker process (``python -m chainrule.runs.search.worker``, see
:class:`~chainrule.runs.search.pool.Workers` for what it reads on stdin) spends about a
second loading the training stack and the storage's modules before it can run a trial.
``chainrule search --workers K`` starts its K - 1 processes with :func:`prestart` before
it loads the job itself; :class:`~chainrule.runs.search.pool.Workers` then :func:`take`\\ s
them. This module imports nothing heavy, and ``chainrule.runs.search`` loads the job
lazily, so importing it costs nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_started: list[tuple[int, subprocess.Popen]] = []  # (BLAS threads, process), not yet taken


def threads_per_worker(workers: int) -> int:
    """BLAS threads for each of ``workers`` workers: ``cpu_count // workers``, at least 1."""
    return max(1, (os.cpu_count() or 1) // workers)


def start(threads: int) -> subprocess.Popen:
    """One worker process; its BLAS gets ``threads`` threads from the environment, set
    before its NumPy loads the library (the worker also limits it at run time)."""
    env = os.environ | {name: str(threads) for name in THREAD_VARIABLES}
    return subprocess.Popen([sys.executable, "-m", "chainrule.runs.search.worker"],
                            stdin=subprocess.PIPE, text=True, env=env)


def prestart(workers: int) -> None:
    """Start the ``workers - 1`` worker processes of a ``workers``-worker search now, for
    the search this process runs next. Processes never taken read an end of input when
    this process exits and exit themselves."""
    threads = threads_per_worker(workers) if workers > 1 else 1
    _started.extend((threads, start(threads)) for _ in range(workers - 1))


def take(count: int, threads: int) -> list[subprocess.Popen]:
    """``count`` worker processes with ``threads`` BLAS threads: the prestarted ones
    (when they match) and new ones for the rest."""
    ready = [proc for t, proc in _started if t == threads and proc.poll() is None][:count]
    _started[:] = [(t, p) for t, p in _started if p not in ready]
    return ready + [start(threads) for _ in range(count - len(ready))]
