"""The ensemble job: ``chainrule ensemble SEARCH_DIR --top K`` or ``chainrule ensemble CONFIG``.

From a search folder, the ``top`` best completed trials become the members (every fold's
model under cross-validation). From a config with an ``[ensemble]`` section, the members
are trained into ``runs/<name>-ensemble/``: ``seeds = k`` trains ``seed-<i>/`` run
folders that share one data split and differ in ``train.seed + i`` (initialisation,
dropout, shuffling); ``snapshots = true`` trains one run ``snapshots/`` with a
cosine-with-restarts schedule of ``cycles`` cycles and keeps the weights at the end of
each cycle (``snapshot-<c>.safetensors``). ``averaging = "polyak"|"ema"`` puts averaged
weights in each seed member.

Either way ``ensemble.json`` compares the ensemble with its members on the test split
(the validation split when there is none)::

    {"source": str, "method": "mean"|"vote", "split": "test"|"val", "metric": "accuracy"|"mse",
     "ensemble": float, "members": [float, ...], "best_member": float, "mean_member": float,
     "gain_over_best": float, "gain_over_mean": float, "member_dirs": [str, ...],
     "chosen": int, "chosen_member": float, "gain_over_chosen": float, "chosen_by": str}

``best_member`` is the member best on the reported split itself (picked by looking at it:
an optimistic yardstick); ``chosen`` is the member one would deploy alone, picked without
looking at that split: the search's best trial (by its validation metric; its first fold
under cross-validation), or the seed/snapshot member best on the validation split
(``chosen_by`` says which).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import io
from chainrule.config.build import build_data
from chainrule.config.loading import ConfigError, validate
from chainrule.config.search import EnsembleConfig
from chainrule.ensemble import AveragedWeights, Ensemble, Snapshots
from chainrule.runs.search.trial import train_one
from chainrule.runs.train import load_run

ENSEMBLE_FILE = "ensemble.json"


@dataclass
class EnsembleResult:
    """A built ensemble and how it compares with its members."""

    out_dir: Path
    ensemble: Ensemble
    report: dict[str, Any]
    seconds: float


def _eval_split(splits: Any) -> tuple[str, Any]:
    return ("test", splits.test) if splits.test is not None else ("val", splits.val)


def _finish(out_dir: Path, ensemble: Ensemble, data: Any, split: str, source: str,
            member_dirs: list[str], started: float, chosen: tuple[int, str] | None
            ) -> EnsembleResult:
    report = {"source": source, "method": ensemble.method, "split": split,
              **ensemble.compare(data, chosen=chosen[0] if chosen else None),
              "member_dirs": member_dirs}
    if chosen is not None:
        report["chosen_by"] = chosen[1]
    io.write_json(out_dir / ENSEMBLE_FILE, report)
    return EnsembleResult(out_dir, ensemble, report, time.perf_counter() - started)


def _member_dirs(run_dir: Path) -> list[Path]:
    """The trained run folders of one trial: itself, or its folds."""
    folds = sorted(run_dir.glob("fold-*"))
    return folds if folds else [run_dir]


def from_search(search_dir: str | Path, top: int = 5, method: str = "mean") -> EnsembleResult:
    """The ensemble of a finished search's ``top`` best completed trials."""
    started = time.perf_counter()
    search_dir = Path(search_dir)
    summary_path = search_dir / "search.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{search_dir} has no search.json: is it a search folder "
                                "(runs/<name>-search)?")
    if top < 1:
        raise ValueError(f"--top must be >= 1, got {top}")
    summary = json.loads(summary_path.read_text())
    done = [t for t in summary["trials"] if t["state"] == "complete" and t["run_dir"]]
    if not done:
        raise ValueError(f"{search_dir}: the search has no completed trial to ensemble")
    done.sort(key=lambda t: t["value"], reverse=summary["direction"] == "maximize")
    dirs = [d for t in done[:top] for d in _member_dirs(search_dir / t["run_dir"])]
    loaded = [load_run(d) for d in dirs]
    config = loaded[0].config
    splits = build_data(config.data, config.train.seed)
    ensemble = Ensemble([m.model for m in loaded], method=method,
                        preprocess=[m.preprocess for m in loaded], regression=splits.regression)
    split, data = _eval_split(splits)
    return _finish(search_dir, ensemble, data, split, f"top {len(done[:top])} trials of "
                   f"{search_dir}", [str(d.relative_to(search_dir)) for d in dirs], started,
                   (0, f"the search's best trial ({summary['metric']})"))


def _seed_members(raw: dict[str, Any], cfg: EnsembleConfig, out_dir: Path, splits: Any
                  ) -> tuple[list[Any], list[str]]:
    base = validate(raw)
    setups, dirs = [], []
    for i in range(cfg.seeds):
        config = base.model_copy(update={
            "name": f"{base.name}-seed-{i}",
            "train": base.train.model_copy(update={"seed": base.train.seed + i})})
        extra = (AveragedWeights(cfg.averaging, cfg.ema_decay),) if cfg.averaging != "none" \
            else ()
        _announce(f"member {i + 1} of {cfg.seeds}: seed {config.train.seed}")
        outcome = train_one(config, out_dir / f"seed-{i}", "loss", splits=_copy(splits),
                            callbacks=extra, verbose=None)
        setups.append(outcome.setup)
        dirs.append(f"seed-{i}")
    return setups, dirs


def _announce(what: str) -> None:
    """A heading over the trainer's progress: wherever it shows a bar or epoch lines (a
    terminal, or a log file outside CI)."""
    from chainrule.train.callbacks.progress import progress_mode

    if progress_mode() is not None:
        from rich import get_console

        get_console().print(f"[bold]ensemble[/bold] {what}")


def _copy(splits: Any) -> Any:
    from chainrule.config.build import Splits

    return Splits(splits.train, splits.val, splits.test, splits.regression)


def _snapshot_members(raw: dict[str, Any], cfg: EnsembleConfig, out_dir: Path, splits: Any
                      ) -> tuple[list[Any], list[str]]:
    """One run with a cosine-with-restarts schedule; a snapshot at each cycle's end."""
    import copy

    base = validate(raw)
    if base.schedule is not None or base.train.early_stopping is not None \
            or cfg.averaging != "none":
        raise ConfigError("ensemble.snapshots = true brings its own cosine-with-restarts "
                          "schedule: remove [schedule], train.early_stopping and "
                          "ensemble.averaging")
    batch = base.train.batch_size or len(splits.train)
    steps = -(-len(splits.train) // batch) * base.train.epochs
    cycle = steps // cfg.cycles
    if cycle < 1:
        raise ConfigError(f"ensemble.cycles = {cfg.cycles} is more than the {steps} training "
                          "steps; train longer or use fewer cycles")
    config = validate({**raw, "schedule": {"name": "cosine_restarts", "T_0": cycle}})
    snaps = Snapshots(cycle)
    _announce(f"one run of {cfg.cycles} cosine cycles, a snapshot at the end of each")
    outcome = train_one(config, out_dir / "snapshots", "loss", splits=_copy(splits),
                        callbacks=(snaps,), verbose=None)
    setups, dirs = [], []
    for c, state in enumerate(snaps.states[:cfg.cycles]):
        member = copy.copy(outcome.setup)
        member.model = copy.deepcopy(outcome.setup.model)
        member.model.load_state_dict(state)
        io.save({"model": state}, out_dir / "snapshots" / f"snapshot-{c}.safetensors")
        setups.append(member)
        dirs.append(f"snapshots/snapshot-{c}.safetensors")
    return setups, dirs


def train_ensemble(raw: dict[str, Any], cfg: EnsembleConfig, runs_root: str | Path = "runs"
                   ) -> EnsembleResult:
    """Train the members an ``[ensemble]`` section asks for and compare them."""
    started = time.perf_counter()
    if not cfg.seeds and not cfg.snapshots:
        raise ConfigError("[ensemble] needs seeds = k (k >= 2) or snapshots = true")
    base = validate(raw)
    out_dir = Path(runs_root) / f"{base.name}-ensemble"
    out_dir.mkdir(parents=True, exist_ok=True)
    splits = build_data(base.data, base.train.seed)
    build = _snapshot_members if cfg.snapshots else _seed_members
    setups, dirs = build(raw, cfg, out_dir, splits)
    ensemble = Ensemble([s.model for s in setups], method=cfg.method,
                        preprocess=[s.preprocess for s in setups], regression=splits.regression)
    split, data = _eval_split(splits)
    source = f"{cfg.cycles} snapshots" if cfg.snapshots else f"{cfg.seeds} seeds"
    chosen = None
    if split == "test" and splits.val is not None:
        scores = ensemble.member_scores(splits.val)
        pick = int(np.argmin(scores) if splits.regression else np.argmax(scores))
        chosen = (pick, "the validation split")
    return _finish(out_dir, ensemble, data, split, f"{source} of {base.name}", dirs, started,
                   chosen)


def run(source: str | Path, *, top: int = 5, method: str | None = None,
        overrides: tuple[str, ...] = (), runs_root: str | Path = "runs") -> EnsembleResult:
    """A search folder's top trials, or the members a config's ``[ensemble]`` describes."""
    path = Path(source)
    if path.is_dir():
        return from_search(path, top, method or "mean")
    from chainrule.runs.search import parse

    parsed = parse(path, overrides)
    cfg = parsed.ensemble
    if cfg is None:
        raise ConfigError(f"{path} has no [ensemble] section (give seeds = k or "
                          "snapshots = true), and is not a search folder")
    if method is not None:
        cfg = cfg.model_copy(update={"method": method})
    return train_ensemble(parsed.raw, cfg, runs_root)
