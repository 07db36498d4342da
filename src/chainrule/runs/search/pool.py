"""Search workers: :class:`Workers` runs K workers on one study, one of them in this
process and the others in worker processes (forked from this one, or fresh interpreters:
see :mod:`~chainrule.runs.search.spawn`).

A worker process is started before the study is created; it reads its job from its pipe
as one JSON line (``{"job": Job fields, "plots": bool}``), works on the study, and with
``plots`` (worker 1) draws the plots as soon as the study is done, while this process
fits the importances; it exits then (or when the pipe closes before the job came).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainrule.config.search import SearchConfig
from chainrule.runs.search import spawn
from chainrule.runs.search.results import draw_here, plot_names
from chainrule.runs.search.study import Job, work

if TYPE_CHECKING:
    import optuna

    from chainrule.runs.search.progress import SearchProgress


def load_importances() -> None:
    """Import what the importances need (scikit-learn, through Optuna's evaluators)."""
    import optuna.importance  # noqa: F401


class Workers:
    """``workers`` workers on one study, each with ``cpu_count // workers`` BLAS threads (at
    least one); with one, it runs in this process as it is.

    The worker processes start before the study is created (:func:`~chainrule.runs.search.
    spawn.take`: copies of this process when it can fork, which load nothing, else fresh
    interpreters, which load meanwhile); :meth:`run` gives them the job once the study
    exists and works here as worker 0 (this process has loaded the training stack
    already). Call :meth:`stop` (``with Workers(...)`` does) to end them if the job never
    comes.
    """

    def __init__(self, job: Job, workers: int, plots: bool = True):
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.job, self.count, self.plots = job, workers, plots
        self.threads = spawn.threads_per_worker(workers)
        self.procs = spawn.take(workers - 1, self.threads)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: Any) -> None:
        if kind is None:
            self.stop()
        else:  # the error raised is the one to see
            self._end(timeout=30 if kind is KeyboardInterrupt else None)

    def run(self, storage: optuna.storages.RDBStorage,
            progress: SearchProgress | None = None) -> None:
        """Give the worker processes the job and work here (with ``storage``, the study's,
        showing ``progress``) until the study is done. An error in this worker is raised
        once all have stopped; one in another worker when the study is done."""
        if self.count == 1:
            work(self.job, storage, progress=progress)
            return
        for i, proc in enumerate(self.procs, start=1):
            job = dataclasses.replace(self.job, threads=self.threads, worker=i)
            proc.send({"job": dataclasses.asdict(job), "plots": self.plots})
        from chainrule.threads import get_num_threads, set_num_threads

        previous = get_num_threads()
        try:
            work(dataclasses.replace(self.job, threads=self.threads, worker=0), storage,
                 idle=load_importances, progress=progress)
        except KeyboardInterrupt:  # the workers got the same Ctrl-C: let them record it
            self._end(timeout=30)
            raise
        except Exception:
            self._end()  # the others finish their trials (as they would have alone)
            raise
        finally:
            set_num_threads(previous)
        self._check()

    def painter(self, search_dir: Path, summary: dict[str, Any], cfg: SearchConfig
                ) -> Callable[[], list[str]]:
        """A :data:`~chainrule.runs.search.results.Painter`: worker 1 draws the plots once the
        study is done (this process goes on with the importances); here when there is no
        worker process."""
        if not self.procs:
            return draw_here(search_dir, summary, cfg)

        def drawn() -> list[str]:
            self.stop()
            return plot_names(summary, cfg)

        return drawn

    def stop(self) -> None:
        """Tell the worker processes there is nothing more (they exit once their work is
        done), wait for them, and raise if one failed."""
        self._end()
        self._check()

    def _end(self, timeout: float | None = None) -> None:
        for proc in self.procs:
            proc.close()
        for proc in self.procs:
            proc.wait(timeout)

    def _check(self) -> None:
        """Raise if a worker process has exited with an error."""
        codes = [(i, p.poll()) for i, p in enumerate(self.procs, start=1)]
        failed = [(i, code) for i, code in codes if code not in (0, None)]
        if failed:
            raise RuntimeError("search workers failed: " + ", ".join(
                f"worker {i} exited with code {code}" for i, code in failed)
                + " (their errors are printed above and kept in search.json)")
