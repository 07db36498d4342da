"""Trainer: Keras-style ``fit`` / ``evaluate`` / ``predict`` over chainrule models."""

from __future__ import annotations

import signal
import threading
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
from chainrule.train.callbacks import Callback, CallbackList, Checkpoint, MetricsLogger, ProgressBar
from chainrule.train.checkpoints import CheckpointStore
from chainrule.train.history import History
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


class _EpochAccumulator:
    """Running sums of one epoch's loss, and its outputs and targets for the metrics."""

    def __init__(self, keep_outputs: bool):
        self.keep_outputs = keep_outputs
        self.reset()

    def reset(self) -> None:
        self.loss_sum, self.count = 0.0, 0
        self.outputs: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def add(self, loss: float, n: int, output: np.ndarray, target: np.ndarray) -> None:
        self.loss_sum += loss * n
        self.count += n
        if self.keep_outputs:
            self.outputs.append(output)
            self.targets.append(target)

    def logs(self, metrics: list[tuple[str, Metric]]) -> dict[str, float]:
        logs = {"loss": self.loss_sum / max(self.count, 1)}
        if metrics and self.outputs:
            out, tgt = np.concatenate(self.outputs), np.concatenate(self.targets)
            logs.update({name: fn(tgt, out) for name, fn in metrics})
        return logs

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"loss_sum": self.loss_sum, "count": self.count}
        if self.outputs:
            state["outputs"] = np.concatenate(self.outputs)
            state["targets"] = np.concatenate(self.targets)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.reset()
        self.loss_sum, self.count = state["loss_sum"], state["count"]
        if "outputs" in state:
            self.outputs, self.targets = [state["outputs"]], [state["targets"]]


class Trainer:
    """Train a model with an optimizer and a loss, Keras style.

    Args:
        model: an ``nn.Module`` (any callable with ``parameters``, ``state_dict``,
            ``load_state_dict``, ``train`` and ``eval``).
        optimizer: a ``chainrule.optim`` optimizer over the model's parameters.
        loss: a loss module, a function ``loss(output, target)``, or a name
            (``"cross_entropy"``, ``"mse"``, ``"l1"``, ``"bce"``, ``"bce_with_logits"``, ``"nll"``).
        metrics: names (``"accuracy"``, ``"top5_accuracy"``, ``"f1"``, ``"mse"``, ...)
            or functions ``f(y_true, y_pred)``, computed per epoch on training
            and validation data. Defaults to none.
        callbacks: :class:`~chainrule.train.callbacks.Callback` instances. Defaults to none.
        regularizers: ``nn.regularize`` terms; each penalty is added to the loss
            and logged as ``penalty/<name>``. Defaults to none.
        clip_grad_norm: rescale the gradients so their global L2 norm is at most
            this before each step (``optim.clip_grad_norm_``). Defaults to ``None``.

    Example:
        >>> trainer = Trainer(model, optim.Adam(model.parameters()), "cross_entropy",
        ...                   metrics=["accuracy"])  # doctest: +SKIP
        >>> history = trainer.fit(train, val=val, epochs=10, batch_size=128)  # doctest: +SKIP
    """

    def __init__(self, model: Any, optimizer: Any, loss: str | Callable,
                 metrics: Sequence[str | Metric] = (), callbacks: Sequence[Callback] = (),
                 regularizers: Sequence[Any] = (), clip_grad_norm: float | None = None):
        if clip_grad_norm is not None and not clip_grad_norm > 0:
            raise ValueError(f"Trainer: clip_grad_norm must be > 0 or None, got {clip_grad_norm}")
        self.model, self.optimizer = model, optimizer
        self.clip_grad_norm = clip_grad_norm
        self.loss_fn = resolve_loss(loss)
        self.metrics = [get_metric(m) for m in metrics]
        self.callbacks = list(callbacks)
        self.regularizers = list(regularizers)
        self.history = History()
        self.stop_training = False
        self.epoch = self.global_step = self.epoch_step = 0
        self.epochs = self.steps_per_epoch = self.last_batch_size = 0
        self._pending: list[Checkpoint] = []
        self._active: CallbackList | None = None
        self._interrupted = False

    # ------------------------------------------------------------------ fit
    def fit(self, train: Any, val: Any = None, epochs: int = 1, batch_size: int | None = 32,
            shuffle: bool = True, seed: int | None = None, transform: Callable | None = None,
            run_dir: str | Path | None = None, resume: bool = False,
            verbose: bool | None = None) -> History:
        """Train for ``epochs`` epochs and return the :class:`History`.

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
            resume: continue from the newest intact checkpoint, if any. Defaults to ``False``.
            verbose: show a progress bar; ``None`` shows it on a terminal only.
        """
        if epochs < 1:
            raise ValueError(f"fit: epochs must be >= 1, got {epochs}")
        loader = self._loader(train, batch_size, shuffle, seed, transform)
        self.epochs, self.steps_per_epoch = epochs, len(loader)
        callbacks = self._active = CallbackList(self._callbacks(run_dir, verbose), self)
        acc = _EpochAccumulator(keep_outputs=bool(self.metrics))
        self.history, self.stop_training = History(), False
        self.epoch = self.global_step = self.epoch_step = 0
        for reg in self.regularizers:
            reg.attach(self.model)
        if resume:
            self._resume(callbacks, loader, acc, run_dir)
        callbacks.call("on_train_begin", {})
        previous_handler = self._catch_interrupt()
        try:
            while self.epoch < epochs and not self.stop_training:
                self._run_epoch(loader, val, callbacks, acc)
        finally:
            if previous_handler is not None:
                signal.signal(signal.SIGINT, previous_handler)
            for reg in self.regularizers:
                reg.detach()
            self._active = None
            callbacks.call("close")
        callbacks.call("on_train_end", {})
        return self.history

    def _run_epoch(self, loader: DataLoader, val: Any, callbacks: CallbackList,
                   acc: _EpochAccumulator) -> None:
        epoch, started = self.epoch, time.perf_counter()
        callbacks.call("on_epoch_begin", epoch, {})
        self.model.train()
        # A checkpoint taken at the epoch's last step resumes with its batches all done
        # (and the loader already at the next epoch): only the epoch's end is left to run.
        batches = loader if self.epoch_step < self.steps_per_epoch else ()
        for xb, yb in batches:
            callbacks.call("on_train_batch_begin", self.epoch_step, {})
            logs = self.train_step(xb, yb, acc)
            self.global_step += 1
            self.epoch_step += 1
            self.history.record_step({"step": self.global_step, **logs})
            callbacks.call("on_train_batch_end", self.epoch_step - 1, logs)
            self._write_checkpoints(callbacks, loader, acc)
            if self._interrupted:
                self._save_on_interrupt(callbacks, loader, acc)
            if self.stop_training:
                break
        logs = acc.logs(self.metrics)
        if val is not None:
            logs.update({f"val_{k}": v for k, v in self.evaluate(val).items()})
        logs.update(self._penalty_means(epoch), lr=float(self.optimizer.lr),
                    time=time.perf_counter() - started)
        self.history.record_epoch(epoch, logs)
        self.epoch += 1
        self.epoch_step = 0
        acc.reset()
        callbacks.call("on_epoch_end", epoch, logs)
        self._write_checkpoints(callbacks, loader, acc)

    def train_step(self, xb: Tensor, yb: Tensor, acc: _EpochAccumulator | None = None
                   ) -> dict[str, float]:
        """One optimizer step on a batch (:func:`chainrule.train.step.train_step`);
        returns ``{'loss', 'penalty/<name>', 'grad_norm'?, 'lr'}``."""
        callbacks = self._active
        after = None
        if callbacks is not None and callbacks.wants("on_after_backward"):
            def after(logs: dict[str, float]) -> None:
                callbacks.call("on_after_backward", self.epoch_step, logs)
        logs, output = train_step(self.model, self.optimizer, self.loss_fn, xb, yb,
                                  regularizers=self.regularizers,
                                  clip_grad_norm=self.clip_grad_norm, after_backward=after)
        logs["lr"] = float(self.optimizer.lr)
        self.last_batch_size = len(xb.data)
        if acc is not None:
            acc.add(logs["loss"], self.last_batch_size, output.data, yb.data)
        return logs

    def _penalty_means(self, epoch: int) -> dict[str, float]:
        steps = self.history.steps
        n = self.epoch_step or self.steps_per_epoch
        return {k: float(np.nanmean(v[-n:])) for k, v in steps.items()
                if k.startswith("penalty/") and v}

    # ------------------------------------------------------------ evaluate
    @no_grad()
    def evaluate(self, data: Any, batch_size: int = 256) -> dict[str, float]:
        """Loss and metrics on ``data`` in eval mode, without building a graph."""
        loader = self._loader(data, batch_size, shuffle=False)
        callbacks = self._active or CallbackList(self.callbacks, self)
        was_training = getattr(self.model, "training", True)
        self.model.eval()
        callbacks.call("on_test_begin", {})
        try:
            acc = _EpochAccumulator(keep_outputs=bool(self.metrics))
            for i, (xb, yb) in enumerate(loader):
                callbacks.call("on_test_batch_begin", i, {})
                out = self.model(xb)
                loss = float(self.loss_fn(out, yb).data)
                acc.add(loss, len(xb.data), out.data, yb.data)
                callbacks.call("on_test_batch_end", i, {"loss": loss})
        finally:
            self.model.train(was_training)
        logs = acc.logs(self.metrics)
        callbacks.call("on_test_end", logs)
        return logs

    def predict(self, data: Any, batch_size: int = 256) -> np.ndarray:
        """Model outputs for ``data`` (array, Tensor, dataset or loader), batched, in eval
        mode (:func:`chainrule.train.predict.predict`)."""
        return predict(self.model, data, batch_size=batch_size)

    # --------------------------------------------------------- checkpoints
    def model_state(self) -> dict[str, Any]:
        """What a saved model holds: ``{"model": state_dict}``."""
        return {"model": self.model.state_dict()}

    def state_dict(self, loader: DataLoader, callbacks: CallbackList,
                   acc: _EpochAccumulator) -> dict[str, Any]:
        """Everything needed to continue this run bit for bit."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "loader": loader.state_dict(),
            "rng": cr_random.get_state(),
            "trainer": {"epoch": self.epoch, "global_step": self.global_step,
                        "epoch_step": self.epoch_step},
            "history": self.history.state_dict(),
            "callbacks": callbacks.state_dict(),
            "regularizers": {f"{i}_{r.name}": r.state_dict() for i, r in
                             enumerate(self.regularizers) if hasattr(r, "state_dict")},
            "accumulator": acc.state_dict(),
        }

    def request_checkpoint(self, owner: Checkpoint) -> None:
        """Ask for a checkpoint once every callback has run for the current step."""
        if owner not in self._pending:
            self._pending.append(owner)

    def _write_checkpoints(self, callbacks: CallbackList, loader: DataLoader,
                           acc: _EpochAccumulator) -> None:
        if self._pending:
            state = self.state_dict(loader, callbacks, acc)
            for owner in self._pending:
                owner.write(state, self.global_step)
            self._pending.clear()

    def _resume(self, callbacks: CallbackList, loader: DataLoader, acc: _EpochAccumulator,
                run_dir: str | Path | None) -> None:
        store = self._checkpoint_store(callbacks, run_dir)
        found = store.load_latest() if store is not None else None
        if found is None:
            warnings.warn("resume=True but no checkpoint was found; starting from scratch",
                          stacklevel=3)
            return
        state, _ = found
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        loader.load_state_dict(state["loader"])
        cr_random.set_state(state["rng"])
        counters = state["trainer"]
        self.epoch, self.global_step = counters["epoch"], counters["global_step"]
        self.epoch_step = counters["epoch_step"]
        self.history.load_state_dict(state["history"])
        callbacks.load_state_dict(state["callbacks"])
        for i, reg in enumerate(self.regularizers):
            key = f"{i}_{reg.name}"
            if key in state.get("regularizers", {}):
                reg.load_state_dict(state["regularizers"][key])
        acc.load_state_dict(state["accumulator"])

    @staticmethod
    def _checkpoint_store(callbacks: CallbackList, run_dir: str | Path | None
                          ) -> CheckpointStore | None:
        for cb in callbacks:
            if isinstance(cb, Checkpoint):
                return cb.store
        return CheckpointStore(Path(run_dir) / "checkpoints") if run_dir else None

    # ------------------------------------------------------------- helpers
    def _callbacks(self, run_dir: str | Path | None, verbose: bool | None) -> list[Callback]:
        callbacks = list(self.callbacks)
        kinds = {type(cb) for cb in callbacks}
        if run_dir is not None:
            if MetricsLogger not in kinds:
                callbacks.append(MetricsLogger(run_dir))
            if Checkpoint not in kinds:
                callbacks.append(Checkpoint(Path(run_dir) / "checkpoints", monitor="loss"))
        if ProgressBar not in kinds and verbose is not False:
            callbacks.append(ProgressBar(enabled=verbose))
        return callbacks

    @staticmethod
    def _loader(data: Any, batch_size: int | None, shuffle: bool, seed: int | None = None,
                transform: Callable | None = None) -> DataLoader:
        if isinstance(data, DataLoader):
            return data
        if isinstance(data, tuple) and len(data) == 2:
            data = ArrayDataset(*data)
        if not hasattr(data, "x") or not hasattr(data, "y"):
            raise TypeError(f"expected a dataset, an (x, y) pair or a DataLoader, got "
                            f"{type(data).__name__}")
        size = len(data) if batch_size is None else batch_size
        return DataLoader(data, batch_size=size, shuffle=shuffle, seed=seed, transform=transform)

    def _catch_interrupt(self) -> Any:
        """Turn Ctrl-C into a flag checked between steps, so a checkpoint is saved cleanly."""
        self._interrupted = False
        if threading.current_thread() is not threading.main_thread():
            return None

        def handler(signum: int, frame: Any) -> None:
            self._interrupted = True

        return signal.signal(signal.SIGINT, handler)

    def _save_on_interrupt(self, callbacks: CallbackList, loader: DataLoader,
                           acc: _EpochAccumulator) -> None:
        owners = [cb for cb in callbacks if isinstance(cb, Checkpoint)]
        for owner in owners:
            self.request_checkpoint(owner)
        self._write_checkpoints(callbacks, loader, acc)
        where = f" to {owners[0].directory}" if owners else " (no Checkpoint callback: not saved)"
        raise KeyboardInterrupt(f"interrupted at step {self.global_step}; checkpoint saved{where}")
