"""What a diagnosis examines, and how it works on copies so the user's objects never change.

Every check deep-copies the model (together with the regularisers, which may
point at its modules), builds a fresh optimizer of the same kind and options
over the copy, and runs inside :func:`preserved_rng` so that the global random
generator is where it was: a diagnosis leaves the model, the optimizer, their
gradients and the random stream exactly as it found them.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.nn import Dropout, Module
from chainrule.optim import Optimizer
from chainrule.train import step
from chainrule.train.trainer import resolve_loss

Task = str  # "classification" | "binary" | "regression"


@contextlib.contextmanager
def preserved_rng() -> Iterator[None]:
    """Restore the global generator's state on exit (dropout masks drawn inside do not count)."""
    state = cr_random.get_state()
    try:
        yield
    finally:
        cr_random.set_state(state)


@dataclass
class Copy:
    """A deep copy of a subject's model and regularisers (hooks dropped)."""

    model: Module
    regularizers: list[Any]


@dataclass
class Subject:
    """A model, its loss and training data, and optionally its optimizer and regularisers.

    The checks read these and never modify them.

    Args:
        model: an ``nn.Module`` mapping a batch of ``x`` to outputs.
        loss: ``loss(output, target)``: a loss module, a function or a name
            (``"cross_entropy"``, ``"mse"`` ... as in ``Trainer``).
        x: training inputs (samples on axis 0).
        y: training targets: integer labels, or float targets for regression.
        optimizer: the ``chainrule.optim`` optimizer the model will be trained with;
            checks that train use a fresh one of the same kind and options.
            Defaults to ``None`` (those checks are skipped).
        regularizers: ``nn.regularize`` terms the run adds. Defaults to none.
        clip_grad_norm: gradient clipping of the run. Defaults to ``None``.
        seed: seed of the samples the checks draw. Defaults to ``0``.
    """

    model: Module
    loss: Any
    x: np.ndarray
    y: np.ndarray
    optimizer: Optimizer | None = None
    regularizers: Sequence[Any] = ()
    clip_grad_norm: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        self.loss_fn: Callable[[Tensor, Any], Tensor] = resolve_loss(self.loss)
        self.x = np.asarray(self.x.data if isinstance(self.x, Tensor) else self.x)
        self.y = np.asarray(self.y.data if isinstance(self.y, Tensor) else self.y)
        if self.x.dtype.kind == "f" and self.x.dtype != np.float32:
            self.x = self.x.astype(np.float32)
        if len(self.x) != len(self.y) or len(self.x) == 0:
            raise ValueError(f"Subject: x and y need the same, non-zero number of samples, got "
                             f"{len(self.x)} and {len(self.y)}")
        if self.optimizer is not None and not isinstance(self.optimizer, Optimizer):
            raise TypeError(f"Subject: optimizer must be a chainrule.optim.Optimizer, got "
                            f"{type(self.optimizer).__name__}")

    @classmethod
    def from_trainer(cls, trainer: Any, data: Any, seed: int = 0) -> Subject:
        """The subject of a :class:`~chainrule.train.Trainer` and its training data
        (a dataset with ``.x``/``.y`` or an ``(x, y)`` pair)."""
        x, y = (data.x, data.y) if hasattr(data, "x") else data
        return cls(trainer.model, trainer.loss_fn, x, y, trainer.optimizer,
                   tuple(trainer.regularizers), trainer.clip_grad_norm, seed)

    # ------------------------------------------------------------------ the task
    @property
    def task(self) -> Task:
        """``"classification"`` (integer labels, C > 1 outputs), ``"binary"`` (one output)
        or ``"regression"`` (float targets)."""
        if self.y.dtype.kind == "f":
            return "regression"
        return "binary" if self.output_width() == 1 else "classification"

    @property
    def num_classes(self) -> int:
        """Number of classes: the output width, or 2 for a one-output binary model."""
        return max(self.output_width(), 2)

    def output_width(self) -> int:
        """Outputs per sample of the model (one forward pass on a copy of two samples)."""
        if not hasattr(self, "_width"):
            model = self.copy(regularizers=False).model
            with preserved_rng():
                out = model(Tensor._wrap(self.x[:2]))
            self._width = int(np.prod(out.shape[1:])) if out.ndim > 1 else 1
        return self._width

    # ------------------------------------------------------------------ samples
    def sample(self, n: int, seed_offset: int = 0) -> tuple[Tensor, Tensor]:
        """``n`` training samples drawn without replacement (all of them when fewer),
        the same for the same ``seed`` and offset."""
        rng = np.random.default_rng(self.seed + seed_offset)
        idx = np.sort(rng.permutation(len(self.x))[:n])
        return Tensor._wrap(self.x[idx]), Tensor._wrap(self.y[idx])

    def batches(self, batch_size: int, seed_offset: int = 0) -> Iterator[tuple[Tensor, Tensor]]:
        """Endless shuffled minibatches of the training data (reshuffled each pass)."""
        rng = np.random.default_rng(self.seed + seed_offset)
        batch_size = min(batch_size, len(self.x))
        while True:
            order = rng.permutation(len(self.x))
            for lo in range(0, len(order) - batch_size + 1, batch_size):
                idx = order[lo:lo + batch_size]
                yield Tensor._wrap(self.x[idx]), Tensor._wrap(self.y[idx])

    # ------------------------------------------------------------------ copies
    def copy(self, regularizers: bool = True) -> Copy:
        """Deep copies of the model and (when asked) the regularisers, sharing nothing with
        the originals. Forward hooks are dropped from the copy: they belong to whoever
        installed them on the original (a running Monitor, an attached regulariser)."""
        regs = list(self.regularizers) if regularizers else []
        model, regs = copy.deepcopy((self.model, regs))
        for m in model.modules():
            m._forward_hooks.clear()
            m._forward_pre_hooks.clear()
        return Copy(model, regs)

    def optimizer_for(self, model: Module, **options: Any) -> Optimizer:
        """A fresh optimizer of the subject's kind and options over ``model`` (a copy), with
        ``options`` (e.g. ``weight_decay=0``) overriding every group that has them."""
        if self.optimizer is None:
            raise ValueError("this check trains the model and needs the subject's optimizer")
        return clone_optimizer(self.optimizer, self.model, model, **options)


def clone_optimizer(optimizer: Optimizer, source: Module, target: Module,
                    **options: Any) -> Optimizer:
    """A new optimizer like ``optimizer`` (same class, groups and options, fresh state) over
    ``target``'s parameters, matched to ``source``'s by position.

    Raises:
        ValueError: the optimizer holds a tensor that is not a parameter of ``source``,
            or the two models have different numbers of parameters.
    """
    src, dst = list(source.parameters()), list(target.parameters())
    if len(src) != len(dst):
        raise ValueError(f"clone_optimizer: the models have {len(src)} and {len(dst)} "
                         "parameters; pass a copy of the optimized model")
    index = {id(p): q for p, q in zip(src, dst, strict=True)}
    groups = []
    for i, group in enumerate(optimizer.param_groups):
        missing = [j for j, p in enumerate(group["params"]) if id(p) not in index]
        if missing:
            raise ValueError(f"clone_optimizer: parameter(s) {missing} of param group {i} are "
                             "not parameters of the model")
        settings = {k: v for k, v in group.items() if k != "params"}
        settings.update({k: v for k, v in options.items() if k in settings})
        groups.append({**settings, "params": [index[id(p)] for p in group["params"]]})
    # A shallow copy keeps what the subclass set up (e.g. a TransformOptimizer's transform);
    # the base initialiser then rebuilds groups, flat buffers and state over the new tensors.
    clone = copy.copy(optimizer)
    Optimizer.__init__(clone, groups, dict(optimizer.defaults), fused=optimizer.fused)
    return clone


def without_dropout(model: Module) -> Module:
    """Switch every Dropout of ``model`` (a copy) off; returns the model."""
    for m in model.modules():
        if isinstance(m, Dropout):
            m.p = 0.0
    return model


def train_step(subject: Subject, model: Module, optimizer: Optimizer, regularizers: Sequence[Any],
               x: Tensor, y: Tensor) -> float:
    """One training step as the Trainer takes it (:func:`chainrule.train.step.train_step`,
    with the subject's loss and clipping) on a copy; returns the data loss."""
    logs, _ = step.train_step(model, optimizer, subject.loss_fn, x, y, regularizers=regularizers,
                              clip_grad_norm=subject.clip_grad_norm)
    return logs["loss"]
