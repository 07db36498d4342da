"""Everything a configured run is made of, built from its config before training.

``setup(config)`` seeds, loads the data splits, fits the preprocessing on the
training split, builds and initialises the model, the optimizer, the loss, the
regularisers and the callbacks, and wraps them in a :class:`Trainer`. Training
(:mod:`chainrule.runs.train`) and diagnosis (:mod:`chainrule.runs.diagnose`)
both start from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chainrule as cr
from chainrule.config.build import (
    Splits,
    build_augment,
    build_data,
    build_loss,
    build_model,
    build_preprocess,
    build_regularizers,
    initialise,
    output_size,
)
from chainrule.config.build_optim import build_optimizer, build_schedule
from chainrule.config.schema import RunConfig
from chainrule.data import ArrayDataset
from chainrule.data.label_noise import noisy_labels
from chainrule.diagnose.monitor import Monitor
from chainrule.runs.transfer import apply_transfer
from chainrule.train import Trainer
from chainrule.train import callbacks as cb

STEP_LOG_EVERY = 10  # steps between metrics.jsonl's step rows (the report's per-step loss)


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


def _transformed(ds: Any, preprocess: Any) -> Any:
    if ds is None or preprocess is None:
        return ds
    return ArrayDataset(preprocess.transform(ds.x), ds.y, name=ds.name, classes=ds.classes)


def _callbacks(config: RunConfig, splits: Splits, optimizer: Any,
               run_dir: Path | None) -> list[cb.Callback]:
    """Early stopping, the divergence guard, the LR schedule, checkpoints and the logger."""
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
        callbacks.append(cb.LearningRateScheduler(schedule, interval=interval, monitor=monitor))
    if run_dir is not None:
        monitor = "val_loss" if splits.val is not None else "loss"
        callbacks.append(cb.Checkpoint(run_dir / "checkpoints",
                                       every_n_steps=config.train.checkpoint_every_steps,
                                       keep_last=config.train.keep_checkpoints, monitor=monitor))
        callbacks.append(cb.MetricsLogger(run_dir, log_every_steps=STEP_LOG_EVERY))
        if config.train.monitor_every is not None:
            callbacks.append(Monitor(config.train.monitor_every, directory=run_dir))
    return callbacks


def setup(config: RunConfig, run_dir: Path | None = None, splits: Splits | None = None) -> Setup:
    """Build data, preprocessing, model, optimizer, loss and callbacks from ``config``.

    With ``run_dir``, the trainer also checkpoints into ``run_dir/checkpoints`` and
    logs metrics there. ``splits`` (raw data) replaces the configured data, e.g. one
    fold of a cross-validation; the preprocessing is fitted on its training part.
    """
    seed = config.train.seed
    cr.manual_seed(seed)
    splits = build_data(config.data, seed) if splits is None else splits
    if config.regularization.label_noise > 0 and not splits.regression:
        splits.train = noisy_labels(splits.train, config.regularization.label_noise,
                                    generator=seed)
    raw_shape = list(splits.train.x.shape[1:])
    preprocess = build_preprocess(config.preprocess)
    if preprocess is not None:
        preprocess.fit(splits.train.x)
        splits = Splits(*(_transformed(d, preprocess) for d in
                          (splits.train, splits.val, splits.test)), regression=splits.regression,
                        schema=splits.schema)
    input_shape = tuple(splits.train.x.shape[1:])
    out_features = output_size(config, splits)
    model = build_model(config.model, input_shape, out_features)
    initialise(model, config.model.init, splits.train.x[:256])
    if config.transfer is not None:
        apply_transfer(config.transfer, model)
    optimizer = build_optimizer(config.optimizer, model)
    metrics = list(config.train.metrics)
    if splits.regression and metrics == ["accuracy"]:  # the default suits classification only
        metrics = ["mse", "r2"]
    trainer = Trainer(model, optimizer, build_loss(config.loss, splits.regression),
                      metrics=metrics, callbacks=_callbacks(config, splits, optimizer, run_dir),
                      regularizers=build_regularizers(config.regularization, model, seed),
                      clip_grad_norm=config.optimizer.clip_grad_norm)
    augment = build_augment(config.augment, splits.train.num_classes)
    info = {"out_features": out_features, "input_shape": list(input_shape), "raw_shape": raw_shape}
    if splits.schema is not None:  # a table's column names, categories and classes
        info["tabular"] = splits.schema.to_dict()
    return Setup(config, splits, preprocess, model, trainer, augment, info)
