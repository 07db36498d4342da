"""A finished search's results: search.json, best.toml, importances, the table, the plots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainrule import io
from chainrule.config.loading import to_toml
from chainrule.config.search import SearchConfig
from chainrule.runs.search.study import RESULT_ATTR
from chainrule.search import space as sp

if TYPE_CHECKING:
    import optuna

SEARCH_FILE = "search.json"
BEST_FILE = "best.toml"


def trial_record(t: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """One trial as search.json stores it."""
    attrs = t.user_attrs | t.user_attrs.get(RESULT_ATTR, {})  # older studies: one attr each
    seconds = attrs.get("seconds")
    if seconds is None and t.datetime_start and t.datetime_complete:
        seconds = (t.datetime_complete - t.datetime_start).total_seconds()
    curve = t.intermediate_values or {int(k): v for k, v in attrs.get("curve", {}).items()}
    record = {"number": t.number, "state": t.state.name.lower(), "params": t.params,
              "value": t.value, "seconds": seconds, "run_dir": run_dir(t),
              "intermediate": {str(k): v for k, v in sorted(curve.items())}}
    for key in ("folds", "spread", "diverged", "error"):
        if key in attrs:
            record[key] = attrs[key]
    if "failed_trial" in t.system_attrs:
        record["retry_of"] = t.system_attrs["failed_trial"]
    return record


def run_dir(t: optuna.trial.FrozenTrial) -> str | None:
    """The trial's run folder relative to the search folder (None before it sampled)."""
    return f"trial-{t.number}" if t.params else None


def plot_summary(study: optuna.Study, cfg: SearchConfig) -> dict[str, Any]:
    """What the plots draw: the trials' records, the metric and the direction."""
    return {"trials": records(study), "metric": cfg.metric, "direction": cfg.resolved_direction}


def records(study: optuna.Study) -> list[dict[str, Any]]:
    """Every trial except surplus ones (asked for after the study was full, never run)."""
    return [trial_record(t) for t in study.get_trials(deepcopy=False)
            if "surplus" not in t.user_attrs and t.state.name != "WAITING"]


def importances(study: optuna.Study, method: str, seed: int) -> dict[str, float]:
    """Optuna's fANOVA or mean-decrease-impurity importances; ``{}`` when they are undefined
    (fewer than two completed trials, or no parameter that varied)."""
    import optuna

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2 or len({tuple(sorted(map(str, t.params.items()))) for t in complete}) < 2:
        return {}
    evaluators = {"fanova": optuna.importance.FanovaImportanceEvaluator,
                  "mdi": optuna.importance.MeanDecreaseImpurityImportanceEvaluator}
    try:
        found = optuna.importance.get_param_importances(study, evaluator=evaluators[method](
            seed=seed))
    except (RuntimeError, ValueError):
        return {}  # e.g. every completed trial has the same value: nothing to explain
    return {k: float(v) for k, v in found.items()}


def best_config(raw: dict[str, Any], trial: optuna.trial.FrozenTrial, name: str) -> str:
    """best.toml: the run config with the best trial's values, a normal training config."""
    config = sp.config_for(raw, trial.params)
    return to_toml(config.model_copy(update={"name": f"{name}-best"}))


def _figures(summary: dict[str, Any], cfg: SearchConfig) -> dict[str, Callable[[], Any]]:
    """The search plots by file name, each a function drawing its Figure."""
    from chainrule.viz import search as vs

    trials, metric = summary["trials"], summary["metric"]
    log = [k for k, e in cfg.space.items() if e.is_log]
    figures = {"search_params.png": lambda: vs.plot_objective_vs_params(trials, metric, log),
               "search_history.png": lambda: vs.plot_optimization_history(
                   trials, metric, summary["direction"])}
    pair = vs.lr_regularization_pair(list(cfg.space))
    if pair is not None:
        figures["search_scatter.png"] = lambda: vs.plot_param_scatter(trials, *pair, metric, log)
    return figures


def plot_names(summary: dict[str, Any], cfg: SearchConfig) -> list[str]:
    """The file names :func:`write_plots` writes for this summary."""
    return list(_figures(summary, cfg))


def write_plots(search_dir: Path, summary: dict[str, Any], cfg: SearchConfig) -> list[str]:
    """The search plots as PNGs in ``search_dir``; returns their names. ``summary`` needs
    ``trials``, ``metric`` and ``direction``."""
    from chainrule.viz import save_figure

    return [save_figure(draw(), search_dir / name).name
            for name, draw in _figures(summary, cfg).items()]


Painter = Callable[[Path, dict[str, Any], SearchConfig], Callable[[], list[str]]]
"""Starts drawing a summary's plots and returns a function that waits for them and gives
their names (:func:`draw_here`, or another process: see ``pool.Workers.painter``)."""


def draw_here(search_dir: Path, summary: dict[str, Any], cfg: SearchConfig
              ) -> Callable[[], list[str]]:
    """A :data:`Painter` drawing in this process, when its result is asked for."""
    return lambda: write_plots(search_dir, summary, cfg)


def summarise(study: optuna.Study, cfg: SearchConfig, raw: dict[str, Any], name: str,
              search_dir: Path, storage: str, plots: bool = True,
              painter: Painter = draw_here) -> dict[str, Any]:
    """Write search.json, best.toml and (unless ``plots`` is False) the plots; return
    search.json's content. ``painter`` draws the plots (another process may draw them
    while this one fits the importances)."""
    from sqlalchemy.engine import make_url

    done = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    best = study.best_trial if done else None
    summary: dict[str, Any] = {
        "study": study.study_name, "storage": make_url(storage).render_as_string(
            hide_password=True), **plot_summary(study, cfg), "strategy": cfg.strategy,
        "pruner": cfg.pruner, "cv_folds": cfg.cv_folds,
        "n_trials": cfg.n_trials,
        "log_params": [k for k, e in cfg.space.items() if e.is_log],
        "best": None if best is None else {"number": best.number, "value": best.value,
                                           "params": best.params,
                                           "run_dir": run_dir(best)},
        "importances": {}, "importance_method": cfg.importance, "plots": []}
    drawn = painter(search_dir, summary, cfg) if summary["trials"] and plots else None
    summary["importances"] = importances(study, cfg.importance, cfg.seed)
    if best is not None:
        io.write_atomic(search_dir / BEST_FILE, best_config(raw, best, name))
        summary["best_config"] = BEST_FILE
    if drawn is not None:
        summary["plots"] = drawn()
    io.write_json(search_dir / SEARCH_FILE, summary)
    return summary


def table(summary: dict[str, Any], limit: int | None = None) -> Any:
    """A rich Table of the trials: number, state, each parameter, the metric, the time; with
    more than ``limit`` trials, the ``limit`` best completed ones, best first (all of them
    are in ``search.json``)."""
    from rich.table import Table

    trials = summary["trials"]
    title = f"search {summary['study']}: {summary['metric']} ({summary['direction']})"
    if limit is not None and len(trials) > limit:
        sign = -1 if summary["direction"] == "maximize" else 1
        trials = sorted((t for t in trials if t["state"] == "complete"
                         and t["value"] is not None), key=lambda t: sign * t["value"])[:limit]
        title += f", the best {len(trials)} of {len(summary['trials'])} trials"
    keys = list(dict.fromkeys(k for t in trials for k in t["params"]))
    best = (summary["best"] or {}).get("number")
    rows = [[str(t["number"]), t["state"], *(_cell(t["params"].get(k)) for k in keys),
             "-" if t["value"] is None else f"{t['value']:.4f}",
             "-" if t["seconds"] is None else f"{t['seconds']:.1f}"] for t in trials]
    out = Table(pad_edge=False, title=title)
    # A narrow terminal folds the long headers (dotted keys), never a value: one cut to
    # "0.0007..." would hide what was tried.
    for i, column in enumerate(("trial", "state", *keys, summary["metric"], "seconds")):
        out.add_column(column, justify="left" if column == "state" else "right",
                       overflow="fold", min_width=max((len(r[i]) for r in rows), default=1))
    for t, row in zip(trials, rows, strict=True):
        out.add_row(*row, style="bold green" if t["number"] == best else None)
    return out


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return "-" if v is None else str(v)
