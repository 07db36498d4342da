"""The search's progress: finished trials of the total, how many run and are pruned, the
best value so far, and on a terminal a live bar with the elapsed time and ETA (rich); in a
log file one line each time more trials have finished.

The first process updates it each time its worker loop looks at the study (after each of
its trials, and every 0.1 s while it waits for the others' last ones), so with several
workers it moves in steps of the trials finished meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chainrule.runs.search.study import FINISHED
from chainrule.runs.search.tables import TrialRow, best_trial

if TYPE_CHECKING:
    import optuna


class SearchProgress:
    """The progress of a search of ``trials`` trials on ``metric``; a context manager (a
    live bar stays on screen once the search is done).

    Args:
        trials: finished trials the search reaches.
        metric: the objective's name.
        maximize: whether a larger value is better.
        live: a live bar (a terminal), else a printed line per change (a log file).
        console: the rich Console to draw on. Defaults to standard output's.
    """

    def __init__(self, trials: int, metric: str, maximize: bool, live: bool = True,
                 console: Any = None):
        from chainrule.train.callbacks.progress import live_bar

        self.trials, self.metric, self.maximize = trials, metric, maximize
        self.progress = live_bar(console) if live else None
        self.task = self.progress.add_task("trials", total=trials, info="") if live else None
        self.shown = -1  # finished trials when last shown
        self.best: tuple[int, float] | None = None  # (number, value) of the best trial then

    def __enter__(self) -> SearchProgress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, rows: Sequence[TrialRow], storage: optuna.storages.RDBStorage,
               study_id: int) -> None:
        """Show the study as ``rows`` (:func:`~chainrule.runs.search.tables.trial_rows`)
        has it, with its best trial read from ``storage``."""
        states = [r.state for r in rows]
        finished = min(sum(s in FINISHED for s in states), self.trials)
        if finished != self.shown:  # the best trial changes only when a trial finishes
            self.shown, self.best = finished, best_trial(storage, study_id, self.maximize)
        elif self.progress is None:
            return
        info = f"{states.count('RUNNING')} running, {states.count('PRUNED')} pruned"
        if self.best is not None:
            info += f", best {self.metric} {self.best[1]:.4g} (trial {self.best[0]})"
        if self.progress is not None:
            self.progress.update(self.task, completed=finished, info=info)
        else:
            print(f"trials {finished}/{self.trials}: {info}", flush=True)
