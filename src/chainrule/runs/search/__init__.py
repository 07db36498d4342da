"""The search job: ``chainrule search CONFIG`` and ``chainrule.search.run``, in one process
or several (see :mod:`chainrule.search` for the files it writes).

The job is :mod:`~chainrule.runs.search.job` (``run``, ``parse``, ``SearchResult``,
loaded from there on first use, so that :mod:`~chainrule.runs.search.spawn` can start
worker processes before this process loads the training stack).
"""

from typing import Any

__all__ = ["Parsed", "SearchResult", "parse", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chainrule.runs.search import job

        return getattr(job, name)
    raise AttributeError(f"module 'chainrule.runs.search' has no attribute {name!r}")
