"""Evaluate a trained run on the data splits its config describes."""

from __future__ import annotations

from pathlib import Path

from chainrule.config.build import build_data, build_loss
from chainrule.data import ArrayDataset
from chainrule.runs.train import load_run
from chainrule.train import Trainer

SPLITS = ("train", "val", "test")


def evaluate_run(run_dir: str | Path, split: str | None = None) -> dict[str, dict[str, float]]:
    """Loss and metrics of a trained run: ``{split: {"loss": ..., metric: ...}}``.

    The data are rebuilt from the run's config (same seed, so the same splits)
    and go through the run's fitted preprocessing.

    Args:
        run_dir: a run directory made by :func:`~chainrule.runs.train.train_run`.
        split: ``"train"``, ``"val"`` or ``"test"``; ``None`` (the default) evaluates
            every split the run has.

    Raises:
        ValueError: ``split`` is not a split name, or the run has no such split.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    loaded = load_run(run_dir)
    config, model, preprocess = loaded
    splits = build_data(config.data, config.train.seed)
    chosen = {"train": splits.train, "val": splits.val, "test": splits.test}
    if split is not None and chosen[split] is None:
        raise ValueError(f"the run {run_dir} has no {split} split")
    names = [split] if split else [k for k, v in chosen.items() if v is not None]
    metrics = list(config.train.metrics) if not splits.regression else ["mse", "r2"]
    trainer = Trainer(model, None, build_loss(config.loss, splits.regression), metrics=metrics)
    rows = {}
    for name in names:
        ds = chosen[name]
        x = preprocess.transform(ds.x) if preprocess is not None else ds.x
        rows[name] = trainer.evaluate(ArrayDataset(x, ds.y))
    return rows
