"""Trainer: Keras-style ``fit`` / ``evaluate`` / ``predict`` over chainrule models.

``fit`` is a straight loop over epochs and batches that calls the callbacks'
hooks (:mod:`chainrule.train.callbacks.base`) around
:func:`chainrule.train.step.train_step`; checkpoints, resuming and Ctrl-C live
in the :class:`~chainrule.train.callbacks.BackupAndRestore` callback, which
saves and restores :meth:`Trainer.state_dict`. Epoch metrics come from
streaming sums (:mod:`chainrule.train.epoch_sums`); ``reduce_sums``, when
set (data-parallel training), combines the vector of sums before the epoch's
logs are computed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import functional as F
from chainrule import random as cr_random
from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.data import ArrayDataset, DataLoader
from chainrule.train.callbacks import (
    BackupAndRestore,
    Callback,
    CallbackList,
    Checkpoint,
    DivergenceGuard,
    MetricsLogger,
    ProgressBar,
)
from chainrule.train.epoch_sums import EpochSums
from chainrule.train.history import History
from chainrule.train.inputs import check_fit_data, check_inputs
from chainrule.train.metrics import Metric, get_metric
from chainrule.train.predict import predict
from chainrule.train.step import train_step

LOSSES: dict[str, Callable[[Tensor, Any], Tensor]] = {
    "cross_entropy": F.cross_entropy, "mse": F.mse_loss, "l1": F.l1_loss,
    "bce": F.binary_cross_entropy, "bce_with_logits": F.binary_cross_entropy_with_logits,
    "nll": F.nll_loss,
}


def resolve_loss(loss: str | Callable) -> Callable[[Tensor, Any], Tensor]:
    """A loss module or function, or one of the names in ``LOSSES``."""
    if callable(loss):
        return loss
    if loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; choose from {sorted(LOSSES)} or pass a callable")


class Trainer:
    """Train a model with an optimizer and a loss, Keras style.

    Args:
        model: an ``nn.Module`` (any callable with ``parameters``, ``state_dict``,
            ``load_state_dict``, ``train`` and ``eval``).
        optimizer: a ``chainrule.optim`` optimizer over the model's parameters.
        loss: a loss module, a function ``loss(output, target)``, or a name
            (``"cross_entropy"``, ``"mse"``, ``"l1"``, ``"bce"``, ``"bce_with_logits"``, ``"nll"``).
        metrics: names (``"accuracy"``, ``"top5_accuracy"``, ``"f1"``, ``"mse"``, ...),
            streaming metrics (objects with ``sums``/``value``) or functions
            ``f(y_true, y_pred)``, computed per epoch on training and validation data.
            Defaults to none.
        callbacks: :class:`~chainrule.train.callbacks.Callback` instances. Defaults to none.
        regularizers: ``nn.regularize`` terms; each penalty is added to the loss
            and logged as ``penalty/<name>``. Defaults to none.
        clip_grad_norm: rescale the gradients so their global L2 norm is at most
            this before each step (``optim.clip_grad_norm_``). Defaults to ``None``.
        max_nonfinite_losses: unless a :class:`DivergenceGuard` is among the callbacks,
            one is added that warns at the first NaN/inf loss and, after this many,
            stops training with the weights of its last snapshot before them.
            ``None`` adds none (training goes on). Defaults to ``1``.

    Attributes:
        reduce_sums: ``None``, or a function ``np.ndarray -> np.ndarray`` applied to
            each epoch's (and evaluation's) float64 vector of loss and metric sums
            before the logs are computed; data-parallel training sets it to an
            all-reduce so every rank logs the metrics of all the data.
        stop_training: set it to ``True`` (from a callback) to stop after the current step.

    Example:
        >>> trainer = Trainer(model, optim.Adam(model.parameters()), "cross_entropy",
        ...                   metrics=["accuracy"])  # doctest: +SKIP
        >>> history = trainer.fit(train, val=val, epochs=10, batch_size=128)  # doctest: +SKIP
    """

    def __init__(self, model: Any, optimizer: Any, loss: str | Callable,
                 metrics: Sequence[str | Metric] = (), callbacks: Sequence[Callback] = (),
                 regularizers: Sequence[Any] = (), clip_grad_norm: float | None = None,
                 max_nonfinite_losses: int | None = 1):
        if clip_grad_norm is not None and not clip_grad_norm > 0:
            raise ValueError(f"Trainer: clip_grad_norm must be > 0 or None, got {clip_grad_norm}")
        if max_nonfinite_losses is not None and not (
                isinstance(max_nonfinite_losses, int) and max_nonfinite_losses >= 1):
            raise ValueError(f"Trainer: max_nonfinite_losses must be an int >= 1 or None, got "
                             f"{max_nonfinite_losses!r}")
        self.model, self.optimizer = model, optimizer
        self.clip_grad_norm = clip_grad_norm
        self.max_nonfinite_losses = max_nonfinite_losses
        self.loss_fn = resolve_loss(loss)
        self.metrics = [get_metric(m) for m in metrics]
        self.callbacks = list(callbacks)
        self.regularizers = list(regularizers)
        self.reduce_sums: Callable[[np.ndarray], np.ndarray] | None = None
        self.history = History()
        self.stop_training = self.resuming = False
        self.epoch = self.global_step = self.epoch_step = 0
        self.epochs = self.steps_per_epoch = self.last_batch_size = 0
        self.loader: DataLoader | None = None
        self.sums = EpochSums(self.metrics)
        self._active: CallbackList | None = None

    # ------------------------------------------------------------------ fit
    def fit(self, train: Any, val: Any = None, epochs: int = 1, batch_size: int | None = 32,
            shuffle: bool = True, seed: int | None = None, transform: Callable | None = None,
            run_dir: str | Path | None = None, resume: bool = False,
            verbose: bool | None = None) -> History:
        """Train for ``epochs`` epochs and return the :class:`History`.

        Every input is checked before the first step (see
        :mod:`chainrule.train.inputs`): a bad one raises with the model, the
        optimizer and the run folder untouched.

        Args:
            train: a dataset (``.x``/``.y``), an ``(x, y)`` pair or a ``DataLoader``.
            val: validation data in the same forms; its metrics get a ``val_`` prefix.
            epochs: total epochs (a resumed run trains up to this count). Defaults to ``1``.
            batch_size: samples per step; ``None`` is full-batch gradient descent,
                ``1`` is online SGD. Defaults to ``32``.
            shuffle: reshuffle the training data every epoch. Defaults to ``True``.
            seed: seed of the shuffling order (drawn from the global generator
                when ``None``). Defaults to ``None``.
            transform: augmentation ``f(x, y, rng) -> (x, y)`` per training batch.
            run_dir: folder for ``metrics.jsonl``/``metrics.csv`` and
                ``checkpoints/`` (a MetricsLogger and a per-epoch Checkpoint are added
                unless given among the callbacks). Defaults to ``None``.
            resume: continue from the newest intact checkpoint of the run's
                :class:`BackupAndRestore` callback, if any. Defaults to ``False``.
            verbose: show a progress bar; ``None`` shows it on a terminal only.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
        train_set, val_set = self._dataset(train), None if val is None else self._dataset(val)
        check_fit_data(self.model, self.loss_fn, train_set, val_set, transform)
        loader = self._loader(train, batch_size, shuffle, seed, transform, dataset=train_set)
        val = None if val is None else self._loader(val, 256, False, dataset=val_set)
        self.loader, self.epochs, self.steps_per_epoch = loader, epochs, len(loader)
        callbacks = self._active = CallbackList(self._callbacks(run_dir, verbose), self)
        self.history, self.stop_training, self.resuming = History(), False, resume
        self.epoch = self.global_step = self.epoch_step = 0
        self.sums.reset()
        if resume and not any(cb.restores_state for cb in callbacks):
            warnings.warn("fit(resume=True) without run_dir or a BackupAndRestore callback: "
                          "nothing to resume from; starting from scratch", stacklevel=2)
        for reg in self.regularizers:
            reg.attach(self.model)
        try:
            callbacks.call("on_train_begin", {})
            while self.epoch < epochs and not self.stop_training:
                self._run_epoch(loader, val)
            callbacks.call("on_train_end", {})
        finally:
            for reg in self.regularizers:
                reg.detach()
            self._active = None
            callbacks.call("close")
        return self.history

    def _run_epoch(self, loader: DataLoader, val: DataLoader | None) -> None:
        callbacks, epoch, started = self._active, self.epoch, time.perf_counter()
        callbacks.call("on_epoch_begin", epoch, {})
        self.model.train()
        # A checkpoint taken at the epoch's last step resumes with its batches all done
        # (and the loader already at the next epoch): only the epoch's end is left to run.
        batches = loader if self.epoch_step < self.steps_per_epoch else ()
        for xb, yb in batches:
            callbacks.call("on_train_batch_begin", self.epoch_step, {})
            logs = self.train_step(xb, yb)
            self.global_step += 1
            self.epoch_step += 1
            self.history.record_step({"step": self.global_step, **logs})
            callbacks.call("on_train_batch_end", self.epoch_step - 1, logs)
            if self.stop_training:
                break
        logs = self.sums.logs(self.reduce_sums)
        if val is not None:
            logs.update({f"val_{k}": v for k, v in self.evaluate(val).items()})
        logs.update(self._penalty_means(), lr=float(self.optimizer.lr),
                    time=time.perf_counter() - started)
        self.history.record_epoch(epoch, logs)
        self.epoch += 1
        self.epoch_step = 0
        self.sums.reset()
        callbacks.call("on_epoch_end", epoch, logs)

    def train_step(self, xb: Tensor, yb: Tensor) -> dict[str, float]:
        """One optimizer step on a batch (:func:`chainrule.train.step.train_step`), its loss
        and metric sums added to the epoch's; returns ``{'loss', 'penalty/<name>',
        'grad_norm'?, 'lr'}``.

        Raises:
            ValueError: an empty batch (e.g. from a transform), before any change.
        """
        n = len(xb.data)
        if n == 0:
            raise ValueError(f"Trainer: batch {self.epoch_step} of epoch {self.epoch} is empty; "
                             "a transform must keep at least one sample")
        callbacks = self._active
        after = None
        if callbacks is not None and callbacks.wants("on_after_backward"):
            def after(logs: dict[str, float]) -> None:
                callbacks.call("on_after_backward", self.epoch_step, logs)
        logs, output = train_step(self.model, self.optimizer, self.loss_fn, xb, yb,
                                  regularizers=self.regularizers,
                                  clip_grad_norm=self.clip_grad_norm, after_backward=after)
        logs["lr"] = float(self.optimizer.lr)
        self.last_batch_size = n
        self.sums.add(logs["loss"], n, output.data, yb.data)
        return logs

    def _penalty_means(self) -> dict[str, float]:
        steps = self.history.steps
        n = self.epoch_step or self.steps_per_epoch
        return {k: float(np.nanmean(v[-n:])) for k, v in steps.items()
                if k.startswith("penalty/") and v}

    # ------------------------------------------------------------ evaluate
    def evaluate(self, data: Any, batch_size: int = 256) -> dict[str, float]:
        """Loss and metrics on ``data`` in eval mode, without building a graph (the
        callbacks' ``on_test_*`` hooks run around it)."""
        loader = self._loader(data, batch_size, shuffle=False)
        callbacks = self._active or CallbackList(self.callbacks, self)
        sums = EpochSums(self.metrics)
        was_training = getattr(self.model, "training", True)
        self.model.eval()
        callbacks.call("on_test_begin", {})
        try:
            with no_grad():
                for i, (xb, yb) in enumerate(loader):
                    callbacks.call("on_test_batch_begin", i, {})
                    out = self.model(xb)
                    loss = float(self.loss_fn(out, yb).data)
                    sums.add(loss, len(xb.data), out.data, yb.data)
                    callbacks.call("on_test_batch_end", i, {"loss": loss})
        finally:
            self.model.train(was_training)
        logs = sums.logs(self.reduce_sums)
        callbacks.call("on_test_end", logs)
        return logs

    def predict(self, data: Any, batch_size: int = 256) -> np.ndarray:
        """Model outputs for ``data`` (array, Tensor, dataset or loader), batched, in eval
        mode (:func:`chainrule.train.predict.predict`)."""
        return predict(self.model, data, batch_size=batch_size)

    # --------------------------------------------------------------- state
    def model_state(self) -> dict[str, Any]:
        """What a saved model holds: ``{"model": state_dict}``."""
        return {"model": self.model.state_dict()}

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue the running ``fit`` bit for bit."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "loader": self.loader.state_dict(),
            "rng": cr_random.get_state(),
            "trainer": {"epoch": self.epoch, "global_step": self.global_step,
                        "epoch_step": self.epoch_step},
            "history": self.history.state_dict(),
            "callbacks": self._active.state_dict(),
            "regularizers": {f"{i}_{r.name}": r.state_dict() for i, r in
                             enumerate(self.regularizers) if hasattr(r, "state_dict")},
            "accumulator": self.sums.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (inside ``fit``, before the first step)."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.loader.load_state_dict(state["loader"])
        cr_random.set_state(state["rng"])
        counters = state["trainer"]
        self.epoch, self.global_step = counters["epoch"], counters["global_step"]
        self.epoch_step = counters["epoch_step"]
        self.history.load_state_dict(state["history"])
        self._active.load_state_dict(state["callbacks"])
        for i, reg in enumerate(self.regularizers):
            key = f"{i}_{reg.name}"
            if key in state.get("regularizers", {}):
                reg.load_state_dict(state["regularizers"][key])
        self.sums.load_state_dict(state["accumulator"])

    # ------------------------------------------------------------- helpers
    def _callbacks(self, run_dir: str | Path | None, verbose: bool | None) -> list[Callback]:
        callbacks = list(self.callbacks)
        if run_dir is not None:
            if not any(isinstance(cb, MetricsLogger) for cb in callbacks):
                callbacks.append(MetricsLogger(run_dir))
            if not any(isinstance(cb, BackupAndRestore) for cb in callbacks):
                callbacks.append(Checkpoint(Path(run_dir) / "checkpoints", monitor="loss"))
        if self.max_nonfinite_losses is not None and not any(
                isinstance(cb, DivergenceGuard) for cb in callbacks):
            callbacks.append(DivergenceGuard(factor=None,
                                             max_nonfinite=self.max_nonfinite_losses))
        if not any(isinstance(cb, ProgressBar) for cb in callbacks) and verbose is not False:
            callbacks.append(ProgressBar(enabled=verbose))
        return callbacks

    @staticmethod
    def _dataset(data: Any) -> Any:
        """The dataset behind ``data`` (a dataset, an ``(x, y)`` pair or a DataLoader)."""
        if isinstance(data, DataLoader):
            return data.dataset
        if isinstance(data, tuple) and len(data) == 2:
            return ArrayDataset(check_inputs(data[0], "fit"), data[1])
        if not hasattr(data, "x") or not hasattr(data, "y"):
            raise TypeError(f"expected a dataset, an (x, y) pair or a DataLoader, got "
                            f"{type(data).__name__}")
        return data

    @classmethod
    def _loader(cls, data: Any, batch_size: int | None, shuffle: bool, seed: int | None = None,
                transform: Callable | None = None, dataset: Any = None) -> DataLoader:
        if isinstance(data, DataLoader):
            return data
        dataset = cls._dataset(data) if dataset is None else dataset
        if not shuffle and transform is None:
            seed = 0  # its generator is never used: do not draw a seed from the global one
        size = len(dataset) if batch_size is None else batch_size
        return DataLoader(dataset, batch_size=size, shuffle=shuffle, seed=seed,
                          transform=transform)
