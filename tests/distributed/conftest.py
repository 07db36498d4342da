"""Real ``mpiexec`` ranks for the data-parallel tests (skipped, with the reason, without MPI)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from chainrule.distributed import launch
from chainrule.distributed.launch import find_mpiexec

TIMEOUT = 120  # seconds for one job; a hang fails the test instead of the suite


def mpi_missing() -> str | None:
    """Why MPI cannot start here, or None."""
    try:
        import mpi4py  # noqa: F401

        find_mpiexec()
    except (ImportError, FileNotFoundError) as exc:
        return f"MPI cannot start here: {exc}"
    return None


@pytest.fixture
def run_ranks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``run_ranks(source, n=2) -> JobResult``: run ``source`` as a script on ``n`` ranks."""
    reason = mpi_missing()
    if reason:
        pytest.skip(reason)
    # tcp between local ranks: no shared-memory segments left in /dev/shm by killed ranks
    monkeypatch.setenv("OMPI_MCA_btl", "self,tcp")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in sys.path if p))

    def run(source: str, n: int = 2, timeout: float = TIMEOUT):
        script = tmp_path / "job.py"
        script.write_text(textwrap.dedent(source))
        return launch(n, [str(script)], timeout=timeout, cwd=tmp_path)

    return run
