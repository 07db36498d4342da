"""A throwaway PostgreSQL cluster for the search tests (``../shared/SERVICES.md``).

Debian's ``postgresql`` package (installed by ``make test``): ``initdb`` and ``pg_ctl``
run as the ``postgres`` user (they refuse root), on a free localhost port, with the
socket in a short ``/tmp/pgXXXX`` folder and ``fsync=off``; the cluster and its folder
are removed afterwards. The tests that use it skip, with the reason, only when it
cannot start (no package, no ``postgres`` user, no psycopg2).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PGBIN = Path("/usr/lib/postgresql")


def _bin() -> Path | None:
    found = sorted(PGBIN.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd: str | Path) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, cmd)], capture_output=True, text=True,
                          timeout=300)  # bounded, with room for a loaded machine


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql+psycopg2://postgres@127.0.0.1:<port>/testdb`` of a fresh cluster."""
    pytest.importorskip("psycopg2", reason="psycopg2-binary (the postgres extra) is missing")
    pgbin = _bin()
    if pgbin is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql; make test "
                    "installs it)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is missing: cannot run initdb as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        port = _free_port()
        steps = [
            (pgbin / "initdb", "-D", folder / "data", "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync"),
            (pgbin / "pg_ctl", "-D", folder / "data", "-l", folder / "log", "-w", "-t", "120",
             "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
             "start"),
            (pgbin / "createdb", "-h", folder, "-p", str(port), "testdb"),
        ]
        for step in steps:
            done = _as_postgres(*step)
            if done.returncode != 0:
                log = (folder / "log").read_text() if (folder / "log").exists() else ""
                pytest.skip(f"PostgreSQL did not start: {Path(step[0]).name} failed: "
                            f"{done.stderr.strip() or done.stdout.strip()} {log[-500:]}")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/testdb"
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            _as_postgres(pgbin / "pg_ctl", "-D", folder / "data", "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
