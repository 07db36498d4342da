"""The ops' own threads: a large op splits its work over ``width()`` threads, the BLAS on one.

A convolution's blocks of images (and a large linear layer's rows) are split
over the calling thread and a small pool, each thread running its share from
start to end: the im2col copy, the matrix products on a one-thread BLAS, the
ReLU and pooling of the same block. A block then stays in one core's cache. The
other way round (one thread for the copies, the BLAS's two threads for each
product) hands every block from core to core, and on the 2-vCPU machine the
benchmarks ran on that costs 4-6x whenever the host places the vCPUs far apart:
the MNIST CNN's 32->64 conv (forward + backward, batch 64) took 30.7 ms on one
thread with a two-thread BLAS and 28.7 on two threads of one-thread BLAS when
the vCPUs sat close, and 63.3 against 31.5 when they did not.

Every op that multiplies large matrices inside a training step goes through
here, none calls a multi-threaded BLAS: OpenBLAS's idle threads spin for about
0.1 s after each multi-threaded call and would take a core from the second
thread (a step took 77 ms instead of 50 with both kinds mixed).

``width()`` follows the BLAS's own thread limit (``chainrule.set_num_threads``,
threadpoolctl, ``OPENBLAS_NUM_THREADS``), so one BLAS thread means no pool. The
pool is made on first use in each process (a forked child makes its own). The
shares are fixed by the thread count, and their results come back in order, so
a sum over them gives the same bits every run with the same thread count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")

THREAD_NAME = "chainrule-op"  # the pool's threads' name prefix

_state: dict[str, Any] = {"pid": None, "pool": None, "size": 0, "blas": None}


def _blas() -> Any:
    """The threadpoolctl controller of NumPy's BLAS (None when threadpoolctl finds none).

    Other BLAS libraries may be loaded too (SciPy and torch bring their own): the one
    in NumPy's folders is NumPy's, else the first found (a system BLAS)."""
    if _state["pid"] != os.getpid():
        import numpy as np
        from threadpoolctl import ThreadpoolController

        controllers = ThreadpoolController().select(user_api="blas").lib_controllers
        home = os.path.dirname(os.path.realpath(np.__file__))  # .../numpy, .../numpy.libs
        ours = [c for c in controllers if os.path.realpath(c.filepath).startswith(home)]
        _state.update(pid=os.getpid(), pool=None, size=0,
                      blas=(ours or controllers or [None])[0])
    return _state["blas"]


def width() -> int:
    """How many threads an op may use now: the BLAS's thread limit (1 without a BLAS)."""
    blas = _blas()
    return 1 if blas is None else max(1, int(blas.get_num_threads()))


class one_blas_thread:  # noqa: N801 -- a context manager, named like what it does
    """``with one_blas_thread():`` NumPy's BLAS on one thread, its limit restored after: how
    an op that does not split its work calls the BLAS (about 1.5 us)."""

    __slots__ = ("blas", "limit")

    def __enter__(self) -> None:
        self.blas = _blas()
        if self.blas is not None:
            self.limit = self.blas.get_num_threads()
            self.blas.set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        if self.blas is not None:
            self.blas.set_num_threads(self.limit)


def split(n: int, parts: int) -> list[slice]:
    """``n`` items cut into at most ``parts`` consecutive slices of near-equal length."""
    parts = max(1, min(parts, n))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def run(pieces: Sequence[Callable[[], T]]) -> list[T]:
    """Call every piece, each on a thread of its own, with the BLAS held to one thread
    meanwhile; their results in order. The first piece runs in the calling thread. Pieces
    must not call :func:`run`. An exception in a piece is raised once all have ended."""
    with one_blas_thread():
        if len(pieces) == 1 or _blas() is None:
            return [piece() for piece in pieces]
        if _state["size"] < len(pieces) - 1:
            if _state["pool"] is not None:
                _state["pool"].shutdown(wait=True)
            _state.update(pool=ThreadPoolExecutor(len(pieces) - 1, THREAD_NAME),
                          size=len(pieces) - 1)
        futures = [_state["pool"].submit(piece) for piece in pieces[1:]]
        try:
            first = pieces[0]()
        finally:
            wait(futures)
        return [first] + [future.result() for future in futures]
