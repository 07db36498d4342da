"""Killing a training process at an exact point, for the deterministic kill tests.

Imported by the scripts those tests run in a subprocess (the repository root must be on
their ``sys.path``): the process SIGKILLs itself, so the kill lands where the test says.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kill_now() -> None:
    """SIGKILL this process (no handler, no cleanup: as ``kill -9``)."""
    os.kill(os.getpid(), signal.SIGKILL)


def kill_inside_atomic_write(target: Callable[[str], bool]) -> None:
    """From now on, SIGKILL this process when ``chainrule.io.write_atomic`` is about to rename
    its temporary file (written and fsynced) over a path for which ``target(path)`` is true."""
    replace = os.replace

    def killing_replace(src, dst):
        if target(str(dst)):
            kill_now()
        replace(src, dst)

    os.replace = killing_replace
