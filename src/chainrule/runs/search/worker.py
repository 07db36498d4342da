"""One search worker process: ``python -m chainrule.runs.search.worker`` with its Job as JSON
on stdin (started by :func:`chainrule.runs.search.pool.run_workers`)."""

from __future__ import annotations

import json
import sys

from chainrule.runs.search.study import Job, work


def main() -> int:
    """Run the job read from stdin; 130 when interrupted."""
    job = Job(**json.loads(sys.stdin.read()))
    try:
        work(job)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
