"""One search worker process: :func:`serve` runs what it reads from its pipe (the protocol
is described in :class:`chainrule.runs.search.pool.Workers`); ``python -m
chainrule.runs.search.worker`` serves stdin in a fresh interpreter, after loading what a
trial needs (the storage's Optuna, SQLAlchemy and Alembic modules, numba) while the parent
creates the study (see :mod:`chainrule.runs.search.spawn`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from chainrule.runs.search.study import Job, work


def preload() -> None:
    """Import the modules a worker's first trial would otherwise load on the way, and make
    numba's compilation target ready (loading its registries imports SciPy's BLAS: 0.3 s
    of the first cached kernel's load, measured on a digits trial)."""
    import alembic.migration  # noqa: F401  (the storage's schema version)
    import optuna.storages  # noqa: F401
    import sqlalchemy.orm  # noqa: F401
    from numba.core.registry import cpu_target  # the optimizer's and the ops' kernels

    cpu_target.target_context.refresh()


def load_plots() -> None:
    """Import what drawing the plots needs (matplotlib's Agg figures, the search plots)."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    import chainrule.viz.save  # noqa: F401
    import chainrule.viz.search  # noqa: F401


def serve(stream: TextIO) -> int:
    """Run the job read from ``stream``, then, if asked, draw the plots as soon as the study
    is done (meanwhile the first process may still run its last trial); the exit status
    (130 when interrupted)."""
    line = stream.readline()
    if not line:
        return 0  # the parent stopped before the study existed
    message = json.loads(line)
    job = Job(**message["job"])
    try:
        study = work(job, idle=load_plots if message.get("plots") else None)
    except KeyboardInterrupt:
        return 130
    if message.get("plots"):
        from chainrule.runs.search.results import plot_summary, write_plots

        summary = plot_summary(study, job.cfg)
        if summary["trials"]:
            write_plots(Path(job.search_dir), summary, job.cfg)
    return 0


def main() -> int:
    """A fresh worker process: load, then serve stdin."""
    preload()
    return serve(sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
