"""Regularisers: norm penalties, activation sparsity, max-norm, weight noise.

A :class:`Regularizer` plugs into a training loop through the same hook names
as the Trainer's callbacks, called by :func:`chainrule.train.step.train_step`
(or by hand) in this order::

    reg.attach(model)                           # once, before training
    for each batch:
        reg.on_train_batch_begin(model)         # e.g. WeightNoise perturbs the weights
        loss = data_loss + reg.penalty(model)   # logged as "penalty/<reg.name>"
        loss.backward()
        reg.on_after_backward(model)            # e.g. WeightNoise restores the clean weights
        optimizer.step()
        reg.on_train_batch_end(model)           # e.g. MaxNorm renormalises
    reg.detach()                                # once, after training

Label noise is a data transform instead (``chainrule.data.label_noise``). By
default the penalties and constraints skip biases and batch-norm parameters
(see :func:`decay_groups`); pass ``params=`` to choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.ops.penalty import NormPenalty
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module, RemovableHandle
from chainrule.nn.parameter import Parameter
from chainrule.nn.registry import modules_with_role


def decay_groups(model: Module) -> tuple[list[Parameter], list[Parameter]]:
    """Split the parameters into (decayed, not decayed), each in ``named_parameters`` order.

    Not decayed: biases and other 1-D parameters, and every parameter of a
    normalisation layer (a layer kind with the ``"norm"`` role in
    :mod:`chainrule.nn.registry`). Optimizers use the same split for decoupled weight decay.
    """
    norm_ids = {id(p) for m in modules_with_role(model, "norm") for p in m.parameters()}
    decay, no_decay = [], []
    for p in model.parameters():
        (no_decay if p.ndim <= 1 or id(p) in norm_ids else decay).append(p)
    return decay, no_decay


def _check_strength(owner: str, name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a non-negative number, got {value!r}")
    return float(value)


class Regularizer:
    """Base class: every hook is a no-op; subclasses override what they need.

    Attributes:
        name: the key of this regulariser's penalty in the logs ("penalty/<name>");
            set it on the instance to tell two regularisers of one kind apart.
    """

    name: str = "regularizer"

    def attach(self, model: Module) -> None:
        """Called once before training (e.g. to install forward hooks)."""

    def detach(self) -> None:
        """Called once after training: undo whatever ``attach`` installed."""

    def on_train_batch_begin(self, model: Module) -> None:
        """Called before each training forward pass."""

    def penalty(self, model: Module) -> Tensor | None:
        """A scalar added to the loss, or ``None`` when this regulariser adds none."""
        return None

    def on_after_backward(self, model: Module) -> None:
        """Called after ``loss.backward()``, before the optimizer step."""

    def on_train_batch_end(self, model: Module) -> None:
        """Called after each optimizer step."""


class _ParamSelection(Regularizer):
    """A regulariser acting on chosen parameters (default: weights, see :func:`decay_groups`)."""

    def __init__(self, params: Iterable[Parameter] | None, exclude_bias_and_norm: bool):
        self.params = None if params is None else list(params)
        self.exclude_bias_and_norm = exclude_bias_and_norm

    def selected(self, model: Module) -> list[Parameter]:
        """The trainable parameters this regulariser acts on."""
        if self.params is not None:
            chosen = self.params
        elif self.exclude_bias_and_norm:
            chosen = decay_groups(model)[0]
        else:
            chosen = list(model.parameters())
        return [p for p in chosen if p.requires_grad]


class L2(_ParamSelection):
    """Weight decay as a loss term: (weight_decay / 2) * sum ||w||^2.

    Its gradient is weight_decay * w, so plain SGD with this penalty takes the
    same steps as ``torch.optim.SGD(weight_decay=weight_decay)`` (the decks'
    W <- W - lr dL/dW - lr alpha W).

    Args:
        weight_decay: the coefficient lambda >= 0.
        params: parameters to penalise. Defaults to the model's weights
            (biases and batch-norm parameters excluded).
        exclude_bias_and_norm: with ``params=None``, skip biases and batch-norm
            parameters. Defaults to ``True``.
    """

    name = "l2"

    def __init__(self, weight_decay: float, params: Iterable[Parameter] | None = None,
                 exclude_bias_and_norm: bool = True):
        super().__init__(params, exclude_bias_and_norm)
        self.weight_decay = _check_strength("L2", "weight_decay", weight_decay)

    def penalty(self, model: Module) -> Tensor | None:
        params = self.selected(model)
        if not params or self.weight_decay == 0:
            return None
        return NormPenalty.apply(*params, scale=self.weight_decay / 2, order=2)


class L1(_ParamSelection):
    """Sparsity-inducing penalty strength * sum |w| (its gradient is strength * sign(w)).

    The decks write alpha * (1/2) ||W||_1; that is ``strength = alpha / 2``.

    Args:
        strength: the coefficient >= 0.
        params: parameters to penalise. Defaults to the model's weights.
        exclude_bias_and_norm: with ``params=None``, skip biases and batch-norm
            parameters. Defaults to ``True``.
    """

    name = "l1"

    def __init__(self, strength: float, params: Iterable[Parameter] | None = None,
                 exclude_bias_and_norm: bool = True):
        super().__init__(params, exclude_bias_and_norm)
        self.strength = _check_strength("L1", "strength", strength)

    def penalty(self, model: Module) -> Tensor | None:
        params = self.selected(model)
        if not params or self.strength == 0:
            return None
        return NormPenalty.apply(*params, scale=self.strength, order=1)


class ActivationL1(Regularizer):
    """Sparse representations: strength * sum_layers sum |h| / batch_size on hidden outputs.

    Forward hooks installed by ``attach`` record the latest output of each of
    ``modules``; ``penalty`` uses and then forgets them. The sum over units is
    averaged over the batch (axis 0), so the strength does not depend on the
    batch size.

    Args:
        strength: the coefficient >= 0.
        modules: the module (or modules) whose outputs are penalised, e.g. the
            activation layers.
    """

    name = "activation_l1"

    def __init__(self, strength: float, modules: Module | Sequence[Module]):
        self.strength = _check_strength("ActivationL1", "strength", strength)
        self.modules = [modules] if isinstance(modules, Module) else list(modules)
        if not self.modules or not all(isinstance(m, Module) for m in self.modules):
            raise TypeError("ActivationL1: modules must be one or more nn.Module objects")
        self._handles: list[RemovableHandle] = []
        self._outputs: dict[int, Tensor] = {}

    def attach(self, model: Module) -> None:
        self.detach()
        self._handles = [m.register_forward_hook(self._record) for m in self.modules]

    def _record(self, module: Module, inputs: tuple, output: Tensor) -> None:
        self._outputs[id(module)] = output

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles, self._outputs = [], {}

    def penalty(self, model: Module) -> Tensor | None:
        if not self._handles:
            raise RuntimeError("ActivationL1: call attach(model) before the forward pass so "
                               "that the activations are recorded")
        outputs, self._outputs = list(self._outputs.values()), {}
        if not outputs:
            return None
        total = None
        for h in outputs:
            term = h.abs().sum() * (1.0 / (h.shape[0] if h.ndim else 1))
            total = term if total is None else total + term
        return total * self.strength


def max_norm_(tensor: Tensor, c: float) -> Tensor:
    """Rescale, in place, each unit's incoming weight vector (row) whose L2 norm exceeds ``c``
    to norm exactly ``c`` (``torch.renorm(w, 2, 0, c)`` without its 1e-7)."""
    rows = tensor.data.reshape(tensor.shape[0], -1)
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
    factor = np.where(norms > c, c / np.where(norms > 0, norms, 1.0), 1.0)
    factor = factor.astype(tensor.dtype).reshape((-1,) + (1,) * (tensor.ndim - 1))
    np.multiply(tensor.data, factor, out=tensor.data)
    return tensor


class MaxNorm(_ParamSelection):
    """Max-norm constraint: after each step, ||w_j|| <= c for each unit's incoming weights w_j.

    Args:
        c: the maximal norm (> 0); 3 or 4 are common with dropout.
        params: parameters to constrain (at least 2-D, rows = units). Defaults
            to the model's weights.
    """

    name = "max_norm"

    def __init__(self, c: float, params: Iterable[Parameter] | None = None):
        super().__init__(params, exclude_bias_and_norm=True)
        if _check_strength("MaxNorm", "c", c) == 0:
            raise ValueError("MaxNorm: c must be positive, got 0")
        self.c = float(c)

    def on_train_batch_end(self, model: Module) -> None:
        for p in self.selected(model):
            if p.ndim >= 2:
                max_norm_(p, self.c)


class WeightNoise(_ParamSelection):
    """Gaussian weight noise: each training forward/backward sees w + N(0, std^2).

    ``on_train_batch_begin`` saves the clean weights and adds fresh noise;
    ``on_after_backward`` restores the clean weights, so the optimizer applies
    the noisy-weight gradient to the clean weights.

    Args:
        std: noise standard deviation >= 0.
        params: parameters to perturb. Defaults to the model's weights.
        generator: random generator (or seed). Defaults to the global one.
    """

    name = "weight_noise"

    def __init__(self, std: float, params: Iterable[Parameter] | None = None,
                 generator: np.random.Generator | int | None = None):
        super().__init__(params, exclude_bias_and_norm=True)
        self.std = _check_strength("WeightNoise", "std", std)
        self.generator = None if generator is None else cr_random.resolve(generator)
        self._clean: list[tuple[Parameter, np.ndarray]] = []

    def on_train_batch_begin(self, model: Module) -> None:
        self._restore()
        rng = cr_random.resolve(self.generator)
        for p in self.selected(model):
            self._clean.append((p, p.data.copy()))
            noise = rng.standard_normal(p.shape).astype(p.dtype) * p.dtype.type(self.std)
            np.add(p.data, noise, out=p.data)

    def on_after_backward(self, model: Module) -> None:
        self._restore()

    def detach(self) -> None:
        self._restore()

    def state_dict(self) -> dict:
        """Its own generator's state, for resuming a run bit for bit (empty when it draws from
        the global generator, which the trainer checkpoints itself)."""
        return {} if self.generator is None else {"generator": self.generator.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""
        if "generator" in state:
            if self.generator is None:
                raise ValueError("WeightNoise: the state holds a generator state, but this "
                                 "instance draws from the global generator")
            self.generator.bit_generator.state = state["generator"]

    def _restore(self) -> None:
        for p, clean in self._clean:
            p.data[...] = clean
        self._clean = []
