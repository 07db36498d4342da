"""The search job: read the config, create the study, run the workers, summarise (see
:mod:`chainrule.search` for the files it writes)."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainrule.config.loading import ConfigError, apply_override, load_config, validate
from chainrule.config.schema import RunConfig
from chainrule.config.search import EnsembleConfig, SearchConfig
from chainrule.runs.search.pool import Workers
from chainrule.runs.search.results import summarise, table
from chainrule.runs.search.storage import open_storage
from chainrule.runs.search.study import Job, create_study
from chainrule.search import space as sp

if TYPE_CHECKING:
    from chainrule.runs.search.progress import SearchProgress

STUDY_FILE = "study.db"


@dataclass
class SearchResult:
    """A finished search: its folder, its study and ``search.json``'s content."""

    search_dir: Path
    study_name: str
    storage: str
    summary: dict[str, Any]
    seconds: float

    @property
    def best(self) -> dict[str, Any] | None:
        """``{"number", "value", "params", "run_dir"}`` of the best completed trial."""
        return self.summary["best"]

    @property
    def best_config(self) -> Path | None:
        """``best.toml``: a normal config that ``chainrule train`` runs to reproduce it."""
        name = self.summary.get("best_config")
        return self.search_dir / name if name else None

    def table(self, limit: int | None = None) -> Any:
        """A rich Table of the trials (the ``limit`` best when there are more)."""
        return table(self.summary, limit)


@dataclass
class Parsed:
    """A validated config and its run part as a raw dict (no [search]/[ensemble])."""

    config: RunConfig
    raw: dict[str, Any]

    @property
    def search(self) -> SearchConfig | None:
        return self.config.search

    @property
    def ensemble(self) -> EnsembleConfig | None:
        return self.config.ensemble


def parse(config: RunConfig | str | Path | dict[str, Any],
          overrides: tuple[str, ...] = ()) -> Parsed:
    """Read a config (a RunConfig, a TOML path, a shipped config's name or a raw dict) and
    apply ``key=value`` overrides (``search.trials=50`` too)."""
    if isinstance(config, RunConfig):
        config = config.model_dump(mode="json", exclude_none=True)
    if isinstance(config, dict):
        raw = copy.deepcopy(config)
        for assignment in overrides:
            apply_override(raw, assignment)
        validated = validate(raw)
    else:
        validated = load_config(config, overrides)
    run_raw = validated.model_dump(mode="json", exclude_none=True,
                                   exclude={"search", "ensemble"})
    return Parsed(validated, run_raw)


def _checked(parsed: Parsed) -> SearchConfig:
    """The search section, after every check that can run before the first trial."""
    cfg = parsed.search
    if cfg is None:
        raise ConfigError("this config has no [search] section (give [search] and "
                          "[search.space] entries such as \"optimizer.lr\" = "
                          "{ log_uniform = [1e-4, 1e-1] })")
    if cfg.metric.startswith("val_") and cfg.cv_folds == 0 \
            and parsed.config.data.val_fraction == 0:
        raise ConfigError(f"search.metric {cfg.metric!r} needs validation data: set "
                          "data.val_fraction > 0 or search.cv_folds >= 2")
    sp.check_space(parsed.raw, cfg.space)
    return cfg


@contextlib.contextmanager
def _progress(show: bool | None, cfg: SearchConfig) -> Iterator[SearchProgress | None]:
    """A live bar on a terminal (or with ``show``), lines in a log file, nothing under CI
    (or with ``show=False``): as the trainer's progress."""
    from chainrule.train.callbacks.progress import progress_mode

    mode = progress_mode(show)
    if mode is None:
        yield None
        return
    from chainrule.runs.search.progress import SearchProgress

    with SearchProgress(cfg.n_trials, cfg.metric, cfg.resolved_direction == "maximize",
                        live=mode == "live") as bar:
        yield bar


def run(config: RunConfig | str | Path | dict[str, Any], overrides: tuple[str, ...] = (), *,
        trials: int | None = None, workers: int = 1, storage: str | None = None,
        study: str | None = None, runs_root: str | Path = "runs",
        plots: bool = True, progress: bool | None = None) -> SearchResult:
    """Run (or resume) the search a config describes and summarise it.

    Args:
        config: a config with ``[search]`` and ``[search.space]``: a RunConfig, a TOML
            file, a shipped config's name or the raw dict.
        overrides: ``key=value`` assignments applied first (as ``--set``).
        trials: finished trials to reach (overrides ``search.trials``).
        workers: local worker processes on the study, each with ``cpu_count // workers``
            BLAS threads. Defaults to ``1`` (in this process).
        storage: an SQLAlchemy URL (e.g. ``postgresql+psycopg2://user@host/db``); defaults
            to ``sqlite:///<runs_root>/<name>-search/study.db``.
        study: the study's name in the storage. Defaults to the config's ``name``.
        runs_root: where ``<name>-search/`` goes. Defaults to ``"runs"``.
        plots: draw the search plots. Defaults to ``True``.
        progress: show a progress bar (trials done, best value, ETA). Defaults to ``None``:
            on a terminal; in a log file a line each time trials finish; nothing under CI.

    Returns:
        A :class:`SearchResult`; ``<name>-search/`` holds ``search.json``, ``best.toml``,
        the plots and one ``trial-<n>/`` run folder per trial. Running again continues the
        same study: finished trials are kept, interrupted ones are run again.
    """
    started = time.perf_counter()
    extra = (f"search.trials={trials}",) if trials is not None else ()
    parsed = parse(config, (*overrides, *extra))
    cfg = _checked(parsed)
    name = parsed.config.name
    search_dir = Path(runs_root) / f"{name}-search"
    search_dir.mkdir(parents=True, exist_ok=True)
    url = storage or f"sqlite:///{(search_dir / STUDY_FILE).resolve()}"
    job = Job(parsed.raw, cfg.model_dump(mode="json", exclude_none=True),
              str(search_dir.resolve()), url, study or name)
    with Workers(job, workers, plots) as pool:  # worker processes load meanwhile
        the_storage = open_storage(url)
        the_study = create_study(job, parsed.config.train.epochs, the_storage)
        with _progress(progress, cfg) as bar:  # started once the workers are forked
            pool.run(the_storage, bar)
        summary = summarise(the_study, cfg, parsed.raw, name, search_dir, url, plots=plots,
                            painter=pool.painter)
    return SearchResult(search_dir, job.study_name, url, summary,
                        time.perf_counter() - started)
