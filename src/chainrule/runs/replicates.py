"""A run config as bootstrap replicates for :func:`chainrule.explain.bootstrap`.

``explain`` sits below ``runs`` and never reads configs; it refits whatever offers the
replicate protocol (``labels``, ``stratified``, ``refit(rows, seed, x_eval, target)``), and
:class:`ConfigReplicates` offers it for a run config: the training split is resampled and
trained as the run would be (its preprocessing fitted once on the whole training split).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.config.build import build_data, initialise
from chainrule.data import ArrayDataset
from chainrule.runs.setup import setup


@dataclass
class ConfigReplicates:
    """Bootstrap replicates of a run config (build with :meth:`of`).

    Attributes:
        config: the config as JSON values (they cross to the worker processes; the layer
            models are made at run time from the registry and do not pickle).
        labels: the training split's targets, what is resampled.
        stratified: resample within each class (a classifier), so every class stays.
    """

    config: dict[str, Any]
    labels: np.ndarray
    stratified: bool

    @classmethod
    def of(cls, config: Any) -> ConfigReplicates:
        """The replicates of a ``RunConfig`` or the path of a TOML config."""
        from chainrule.config.loading import load_config
        from chainrule.config.schema import RunConfig

        if isinstance(config, (str, Path)):
            config = load_config(config)
        if not isinstance(config, RunConfig):
            raise TypeError(f"ConfigReplicates.of takes a RunConfig or a TOML path, got "
                            f"{type(config).__name__}")
        y = build_data(config.data, config.train.seed).train.y
        return cls(config.model_dump(mode="json"), y, y.dtype.kind != "f")

    def refit(self, rows: np.ndarray, seed: int, x_eval: np.ndarray,
              target: int | None) -> np.ndarray:
        """One replicate: the run's setup, fresh initial weights from ``seed``, training on
        the training split's ``rows``, predictions (P(class ``target``)) for raw ``x_eval``."""
        import chainrule as cr
        from chainrule import explain
        from chainrule.config.schema import RunConfig
        from chainrule.explain.model import positive_proba

        config = RunConfig.model_validate(self.config)
        s = setup(config)
        cr.manual_seed(seed)
        for module in s.model.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
        initialise(s.model, config.model.init, s.splits.train.x[:256])
        train = s.splits.train
        s.trainer.fit(ArrayDataset(train.x[rows], train.y[rows]), val=s.splits.val,
                      epochs=config.train.epochs, batch_size=config.train.batch_size or None,
                      seed=seed, transform=s.augment, verbose=False)
        task = "regression" if s.splits.regression else "classification"
        estimator = explain.as_estimator(s.model, task, s.preprocess,
                                         n_classes=s.info["out_features"] if task ==
                                         "classification" else None)
        shape = tuple(s.info.get("raw_shape", s.info["input_shape"]))
        x = x_eval.reshape((len(x_eval),) + shape)
        return positive_proba(estimator, x.reshape(len(x), -1) if x.ndim > 2 else x, target)
