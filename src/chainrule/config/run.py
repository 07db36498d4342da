"""A whole run from a config: build, train into ``runs/<name>/``, evaluate, save the model.

The run directory holds ``config.toml`` (the resolved config), ``metrics.jsonl`` and
``metrics.csv``, ``checkpoints/``, ``model.safetensors`` (weights plus the fitted
preprocessing, so predictions on raw inputs work after reload) and ``results.json``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chainrule as cr
from chainrule import io
from chainrule.config.build import (
    Splits,
    build_augment,
    build_data,
    build_loss,
    build_model,
    build_optimizer,
    build_preprocess,
    build_regularizers,
    build_schedule,
    initialise,
    output_size,
)
from chainrule.config.loading import load_config, to_toml
from chainrule.config.schema import RunConfig
from chainrule.data import ArrayDataset
from chainrule.nn.regularize import noisy_labels
from chainrule.train import History, Trainer
from chainrule.train import callbacks as cb

MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.toml"
RESULTS_FILE = "results.json"


@dataclass
class Setup:
    """Everything a run is made of, before training."""

    config: RunConfig
    splits: Splits
    preprocess: Any
    model: Any
    trainer: Trainer
    augment: Any
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    run_dir: Path
    history: History
    test: dict[str, float] | None
    seconds: float


def unique_run_dir(root: str | Path, name: str) -> Path:
    """``root/name``, or ``root/name-2``, ``-3`` ... when taken."""
    root = Path(root)
    candidate, n = root / name, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{name}-{n}"
    return candidate


def _transformed(ds: Any, preprocess: Any) -> Any:
    if ds is None or preprocess is None:
        return ds
    return ArrayDataset(preprocess.transform(ds.x), ds.y, name=ds.name, classes=ds.classes)


def setup(config: RunConfig, run_dir: Path | None = None) -> Setup:
    """Build data, preprocessing, model, optimizer, loss and callbacks from ``config``."""
    seed = config.train.seed
    cr.manual_seed(seed)
    splits = build_data(config.data, seed)
    if config.regularization.label_noise > 0 and not splits.regression:
        splits.train = noisy_labels(splits.train, config.regularization.label_noise,
                                    generator=seed)
    preprocess = build_preprocess(config.preprocess)
    if preprocess is not None:
        preprocess.fit(splits.train.x)
        splits = Splits(*(_transformed(d, preprocess) for d in
                          (splits.train, splits.val, splits.test)), regression=splits.regression)
    input_shape = tuple(splits.train.x.shape[1:])
    out_features = output_size(config, splits)
    model = build_model(config.model, input_shape, out_features)
    initialise(model, config.model.init, splits.train.x[:256])
    optimizer = build_optimizer(config.optimizer, model)
    callbacks: list[cb.Callback] = []
    if config.train.early_stopping is not None:
        es = config.train.early_stopping
        callbacks.append(cb.EarlyStopping(es.monitor, patience=es.patience,
                                          min_delta=es.min_delta, restore_best=es.restore_best))
    if config.train.divergence_guard:
        callbacks.append(cb.DivergenceGuard())
    batch = config.train.batch_size or len(splits.train)
    steps_per_epoch = -(-len(splits.train) // batch)
    if config.schedule is not None:
        schedule, interval = build_schedule(config.schedule, optimizer,
                                            total_steps=steps_per_epoch * config.train.epochs)
        monitor = getattr(config.schedule, "monitor", "val_loss")
        callbacks.append(cb.LRScheduler(schedule, interval=interval, monitor=monitor))
    if run_dir is not None:
        monitor = "val_loss" if splits.val is not None else "loss"
        callbacks.append(cb.Checkpoint(run_dir / "checkpoints",
                                       every_n_steps=config.train.checkpoint_every_steps,
                                       keep_last=config.train.keep_checkpoints, monitor=monitor))
        callbacks.append(cb.MetricsLogger(run_dir))
    metrics = list(config.train.metrics)
    if splits.regression and metrics == ["accuracy"]:  # the default suits classification only
        metrics = ["mse", "r2"]
    trainer = Trainer(model, optimizer, build_loss(config.loss, splits.regression),
                      metrics=metrics, callbacks=callbacks,
                      regularizers=build_regularizers(config.regularization, model, seed),
                      clip_grad_norm=config.optimizer.clip_grad_norm)
    augment = build_augment(config.augment, splits.train.num_classes)
    info = {"out_features": out_features, "input_shape": list(input_shape)}
    return Setup(config, splits, preprocess, model, trainer, augment, info)


def train_run(config: RunConfig | str | Path, overrides: tuple[str, ...] = (),
              runs_root: str | Path = "runs", resume_dir: str | Path | None = None,
              verbose: bool | None = None) -> RunResult:
    """Train from a config (or resume ``resume_dir``) and save everything in the run directory."""
    if resume_dir is not None:
        run_dir = Path(resume_dir)
        if not (run_dir / CONFIG_FILE).exists():
            raise FileNotFoundError(f"{run_dir} is not a run directory (no {CONFIG_FILE})")
        config = load_config(run_dir / CONFIG_FILE, overrides)
    else:
        if not isinstance(config, RunConfig):
            config = load_config(config, overrides)
        run_dir = unique_run_dir(runs_root, config.name)
        run_dir.mkdir(parents=True)
        io.write_atomic(run_dir / CONFIG_FILE, to_toml(config))
    started = time.perf_counter()
    s = setup(config, run_dir)
    history = s.trainer.fit(s.splits.train, val=s.splits.val, epochs=config.train.epochs,
                            batch_size=config.train.batch_size or None, seed=config.train.seed,
                            transform=s.augment, run_dir=run_dir,
                            resume=resume_dir is not None, verbose=verbose)
    seconds = time.perf_counter() - started
    test = s.trainer.evaluate(s.splits.test) if s.splits.test is not None else None
    save_model(run_dir, s, test)
    results = {"test": test, "seconds": seconds, "epochs_run": len(history.epoch),
               "final": {k: v[-1] for k, v in history.history.items()}}
    io.write_atomic(run_dir / RESULTS_FILE, json.dumps(results, indent=2, default=float))
    return RunResult(run_dir, history, test, seconds)


def save_model(run_dir: Path, s: Setup, test: dict[str, float] | None) -> Path:
    """``model.safetensors``: weights, fitted preprocessing and the shapes to rebuild it."""
    state: dict[str, Any] = {"model": s.model.state_dict()}
    if s.preprocess is not None:
        state["preprocess"] = s.preprocess.state_dict()
    path = run_dir / MODEL_FILE
    io.save(state, path, metadata={"info": s.info, "test": test})
    return path


def load_run(run_dir: str | Path) -> tuple[RunConfig, Any, Any, dict[str, Any]]:
    """Rebuild a trained run's model and preprocessing: ``(config, model, preprocess, info)``."""
    from chainrule.data.preprocess import Pipeline

    run_dir = Path(run_dir)
    for needed in (CONFIG_FILE, MODEL_FILE):
        if not (run_dir / needed).exists():
            raise FileNotFoundError(f"{run_dir} has no {needed}: is it a finished run?")
    config = load_config(run_dir / CONFIG_FILE)
    state = io.load(run_dir / MODEL_FILE)
    info = io.load_metadata(run_dir / MODEL_FILE)["info"]
    model = build_model(config.model, tuple(info["input_shape"]), info["out_features"])
    model.load_state_dict(state["model"])
    model.eval()
    preprocess = Pipeline.from_state_dict(state["preprocess"]) if "preprocess" in state else None
    return config, model, preprocess, info
