"""The ranks of a data-parallel job and the collectives they use, over MPI (mpi4py).

A process started by ``mpiexec`` is one rank of ``MPI.COMM_WORLD``; any other process
is a world of one, and every collective is then the identity, so the same training code
runs alone or on many ranks. mpi4py is imported only when an MPI launcher started the
process (a plain ``python`` importing mpi4py would start a singleton MPI job that
leaves shared-memory files behind).
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Environment variables that MPI launchers set in every rank they start.
_LAUNCHER_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")
# Set by chainrule's launcher: a folder where each rank leaves a note when it finishes
# ("done") or loses its peers ("lost"), so a rank that died without a word can be named.
JOB_DIR_VAR = "CHAINRULE_JOB_DIR"


class PeerLost(RuntimeError):
    """A collective failed because another rank is gone."""


class World:
    """This process's place in the job: ``rank`` of ``size``, and in-place collectives.

    Args:
        comm: an mpi4py communicator, or ``None`` for a world of one process.
    """

    def __init__(self, comm: Any = None):
        self.comm = comm
        self.rank = comm.Get_rank() if comm is not None else 0
        self.size = comm.Get_size() if comm is not None else 1
        if comm is not None and self.size > 1:
            from mpi4py import MPI

            # errors come back as exceptions, so a lost peer is reported before aborting
            comm.Set_errhandler(MPI.ERRORS_RETURN)
            atexit.register(self._note, "done")

    def _note(self, what: str) -> None:
        folder = os.environ.get(JOB_DIR_VAR)
        if folder:
            Path(folder, f"rank-{self.rank}.{what}").touch()

    def _collective(self, name: str, call: Callable[[], Any]) -> Any:
        from mpi4py import MPI

        try:
            return call()
        except MPI.Exception as exc:
            self._note("lost")
            raise PeerLost(f"rank {self.rank} lost contact with the other ranks during "
                           f"{name}: {exc.Get_error_string()}") from None

    @property
    def is_root(self) -> bool:
        """True on rank 0, the rank that writes files."""
        return self.rank == 0

    def allreduce_sum_(self, array: np.ndarray) -> np.ndarray:
        """Replace ``array`` (contiguous) by its element-wise sum over all ranks, in place."""
        if self.comm is not None and self.size > 1:
            from mpi4py import MPI

            buffer = _contiguous(array)
            self._collective("Allreduce", lambda: self.comm.Allreduce(MPI.IN_PLACE, buffer,
                                                                      op=MPI.SUM))
        return array

    def allreduce_mean_(self, array: np.ndarray) -> np.ndarray:
        """Replace ``array`` by its element-wise mean over all ranks, in place."""
        self.allreduce_sum_(array)
        if self.size > 1:
            array *= array.dtype.type(1.0 / self.size)
        return array

    def broadcast_(self, array: np.ndarray, root: int = 0) -> np.ndarray:
        """Overwrite ``array`` (contiguous) on every rank with rank ``root``'s values."""
        if self.comm is not None and self.size > 1:
            buffer = _contiguous(array)
            self._collective("Bcast", lambda: self.comm.Bcast(buffer, root=root))
        return array

    def broadcast_object(self, value: Any, root: int = 0) -> Any:
        """Rank ``root``'s ``value`` (JSON-like data only: ints, strings, dicts) on every rank."""
        if self.comm is None or self.size == 1:
            return value
        return self._collective("bcast", lambda: self.comm.bcast(value, root=root))

    def gather_object(self, value: Any, root: int = 0) -> list[Any] | None:
        """Every rank's ``value`` in rank order on ``root`` (``None`` elsewhere)."""
        if self.comm is None or self.size == 1:
            return [value]
        return self._collective("gather", lambda: self.comm.gather(value, root=root))

    def scatter_object(self, values: list[Any] | None, root: int = 0) -> Any:
        """Rank ``i`` receives ``values[i]`` from ``root``."""
        if self.comm is None or self.size == 1:
            return values[0]
        return self._collective("scatter", lambda: self.comm.scatter(values, root=root))

    def barrier(self) -> None:
        """Wait until every rank is here."""
        if self.comm is not None and self.size > 1:
            self._collective("Barrier", self.comm.Barrier)

    def __repr__(self) -> str:
        return f"World(rank={self.rank}, size={self.size})"


def _contiguous(array: np.ndarray) -> np.ndarray:
    if not array.flags.c_contiguous:
        raise ValueError(f"collectives work in place on contiguous arrays, got one of shape "
                         f"{array.shape} and strides {array.strides}")
    return array


def launched_by_mpi() -> bool:
    """Whether an MPI launcher (``mpiexec``) started this process."""
    return any(v in os.environ for v in _LAUNCHER_VARS)


@lru_cache(maxsize=1)
def world() -> World:
    """This process's :class:`World`: ``MPI.COMM_WORLD`` under ``mpiexec``, else a world of one."""
    if not launched_by_mpi():
        return World()
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError("this process was started by an MPI launcher but mpi4py is not "
                           "installed: pip install 'chainrule[distributed]'") from exc
    return World(MPI.COMM_WORLD)


def rank() -> int:
    """This process's rank (0 outside ``mpiexec``)."""
    return world().rank


def world_size() -> int:
    """How many ranks the job has (1 outside ``mpiexec``)."""
    return world().size
