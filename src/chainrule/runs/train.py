"""Train a configured run into ``runs/<name>/``, and load a trained run back.

``train_run`` writes the resolved config, trains (checkpointing and logging as
it goes; see :mod:`chainrule.runs.folder` for the files), evaluates on the
test split and saves ``model.safetensors`` (weights plus the fitted
preprocessing, so predictions on raw inputs work after reload) and
``results.json``, then plots the learning curves (``curves.png``). ``load_run``
rebuilds the model and the preprocessing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainrule import io
from chainrule.config.build import build_model
from chainrule.config.loading import load_config, to_toml
from chainrule.config.schema import RunConfig
from chainrule.distributed.comm import world as distributed_world
from chainrule.runs.folder import CONFIG_FILE, CURVES_FILE, MODEL_FILE, RESULTS_FILE, new_run_dir
from chainrule.runs.setup import Setup, setup
from chainrule.train import History
from chainrule.viz.curves import plot_history
from chainrule.viz.report.build import machine


@dataclass
class RunResult:
    """What :func:`train_run` produced."""

    run_dir: Path
    history: History
    test: dict[str, float] | None
    seconds: float
    curves: Path | None = None
    report: Path | None = None


def train_run(config: RunConfig | str | Path | None, overrides: tuple[str, ...] = (), *,
              runs_root: str | Path = "runs", resume_dir: str | Path | None = None,
              verbose: bool | None = None) -> RunResult:
    """Train from a config (or resume ``resume_dir``) and save everything in the run directory.

    Args:
        config: a :class:`RunConfig`, the path of a TOML config, or the name of a
            config shipped with chainrule (``"digits_mlp"``). Ignored with ``resume_dir``.
        overrides: ``key=value`` assignments (``"optimizer.lr=0.01"``).
        runs_root: folder of run directories. Defaults to ``"runs"``.
        resume_dir: continue this interrupted run from its newest intact checkpoint.
        verbose: progress bar (``None``: when the output is a terminal).
    """
    world = distributed_world()
    if resume_dir is not None:
        run_dir = Path(resume_dir)
        if not (run_dir / CONFIG_FILE).exists():
            raise FileNotFoundError(f"{run_dir} is not a run directory (no {CONFIG_FILE})")
        config = load_config(run_dir / CONFIG_FILE, overrides)
    else:
        if config is None:
            raise ValueError("give a config (a TOML file or a shipped config's name), "
                             "or a run directory to resume")
        if not isinstance(config, RunConfig):
            config = load_config(config, overrides)
        run_dir = None
        if world.is_root:  # in a data-parallel job, rank 0 names the folder for all
            run_dir = new_run_dir(runs_root, config.name)
            io.write_atomic(run_dir / CONFIG_FILE, to_toml(config))
        run_dir = Path(world.broadcast_object(str(run_dir) if run_dir else None))
    started = time.perf_counter()
    if world.size > 1:
        from chainrule.runs.distributed import parallel_fit

        s = setup(config)
        history = parallel_fit(s, world, run_dir, resume=resume_dir is not None,
                               verbose=verbose)
        if not world.is_root:  # only rank 0 evaluates and writes the run's files
            return RunResult(run_dir, history, None, time.perf_counter() - started)
    else:
        s = setup(config, run_dir)
        history = s.trainer.fit(s.splits.train, val=s.splits.val, epochs=config.train.epochs,
                                batch_size=config.train.batch_size or None,
                                seed=config.train.seed, transform=s.augment, run_dir=run_dir,
                                resume=resume_dir is not None, verbose=verbose)
    seconds = time.perf_counter() - started
    test = s.trainer.evaluate(s.splits.test) if s.splits.test is not None else None
    save_model(run_dir, s, test)
    results = {"test": test, "seconds": seconds, "epochs_run": len(history.epoch),
               "final": {k: v[-1] for k, v in history.history.items()}, "machine": machine()}
    io.write_json(run_dir / RESULTS_FILE, results)
    curves = plot_history(history, run_dir / CURVES_FILE)
    report = None
    if config.train.report:
        from chainrule.runs.report import report_run

        report = report_run(run_dir)
    return RunResult(run_dir, history, test, seconds, curves, report)


def save_model(run_dir: Path, s: Setup, test: dict[str, float] | None) -> Path:
    """``model.safetensors``: weights, fitted preprocessing and the shapes to rebuild it."""
    state: dict[str, Any] = {"model": s.model.state_dict()}
    if s.preprocess is not None:
        state["preprocess"] = s.preprocess.state_dict()
    path = run_dir / MODEL_FILE
    io.save(state, path, metadata={"info": s.info, "test": test})
    return path


@dataclass
class LoadedRun:
    """A trained run rebuilt by :func:`load_run`; unpacks as ``config, model, preprocess``.

    Attributes:
        config: the run's resolved config.
        model: the trained model, in eval mode.
        preprocess: the fitted preprocessing pipeline, or None.
        info: ``{"input_shape": [...], "raw_shape": [...], "out_features": n}``:
            the sample shape the model takes (after preprocessing), the raw sample
            shape (before it) and the number of outputs.
        run_dir: where it was loaded from.
    """

    config: RunConfig
    model: Any
    preprocess: Any
    info: dict[str, Any]
    run_dir: Path

    def __iter__(self) -> Iterator[Any]:
        return iter((self.config, self.model, self.preprocess))

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one sample the model takes."""
        return tuple(self.info["input_shape"])

    @property
    def raw_shape(self) -> tuple[int, ...]:
        """The shape of one raw sample, before the preprocessing (PCA may change it)."""
        return tuple(self.info.get("raw_shape", self.info["input_shape"]))


def load_run(run_dir: str | Path) -> LoadedRun:
    """Rebuild a trained run's model and preprocessing from its directory.

    Raises:
        FileNotFoundError: ``run_dir`` lacks ``config.toml`` or ``model.safetensors``.
        CheckpointError: ``model.safetensors`` is truncated, corrupt or not a safetensors file.
    """
    from chainrule.data.preprocess import Pipeline

    run_dir = Path(run_dir)
    for needed in (CONFIG_FILE, MODEL_FILE):
        if not (run_dir / needed).exists():
            raise FileNotFoundError(f"{run_dir} has no {needed}: is it a finished run?")
    config = load_config(run_dir / CONFIG_FILE)
    state = io.load(run_dir / MODEL_FILE)
    info = io.load_metadata(run_dir / MODEL_FILE).get("info")
    if not isinstance(info, dict) or "model" not in state:
        raise io.CheckpointError(f"{run_dir / MODEL_FILE}: not a model saved by chainrule train "
                                 "(no model weights or shapes in it)")
    model = build_model(config.model, tuple(info["input_shape"]), info["out_features"])
    model.load_state_dict(state["model"])
    model.eval()
    preprocess = Pipeline.from_state_dict(state["preprocess"]) if "preprocess" in state else None
    return LoadedRun(config, model, preprocess, info, run_dir)
