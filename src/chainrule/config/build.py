"""Turn a validated :class:`RunConfig` into data, preprocessing, augmentation, model, loss
and regularizers; every section dispatches through one table (name -> maker).

The model is built from the layer registry (:mod:`chainrule.nn.registry`): the
sample shape is tracked through the layers (``(features,)`` or ``(C, H, W)``),
a ``Flatten`` goes in front of the first layer that needs flat samples when
they are not flat, and the last dense layer's ``out_features`` is the data's
output size. Optimizers and schedules are built in :mod:`chainrule.config.build_optim`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import data as cr_data
from chainrule import functional as F
from chainrule import nn
from chainrule.autograd.tensor import Tensor
from chainrule.config.datasets import DATASETS
from chainrule.config.layers import options_of
from chainrule.config.schema import (
    DataConfig,
    LossConfig,
    ModelConfig,
    RegularizationConfig,
    RunConfig,
)
from chainrule.config.section import Section
from chainrule.data import augment as aug
from chainrule.data import preprocess as pre
from chainrule.nn import regularize as reg
from chainrule.nn.registry import get as layer_kind
from chainrule.nn.registry import modules_with_role


@dataclass
class Splits:
    """The three parts of the data; ``test`` is None only when there is none."""

    train: Any
    val: Any
    test: Any
    regression: bool
    schema: Any = None  # a table's TabularSchema (names, categories, classes), saved with the model


def _laid_out(ds: Any, flatten: bool) -> Any:
    """Samples flat ``(features,)`` with ``flatten``, else images as ``(C, H, W)``: gray
    images ``(H, W)`` get a channel axis, as convolutions and torch expect."""
    if flatten and ds.x.ndim > 2:
        x = ds.x.reshape(len(ds), -1)
    elif not flatten and ds.x.ndim == 3:
        x = ds.x[:, None]
    else:
        return ds
    return cr_data.ArrayDataset(x, ds.y, name=ds.name, classes=ds.classes)


def build_data(cfg: DataConfig, seed: int) -> Splits:
    """Load the dataset, carve out test (when it has no fixed split) and validation parts."""
    loaded = DATASETS[cfg.dataset](cfg, seed)
    if isinstance(loaded, tuple):
        train, test = loaded
    elif cfg.test_fraction > 0:
        train, test = cr_data.train_val_split(loaded, cfg.test_fraction, seed=seed)
    else:
        train, test = loaded, None
    if cfg.limit is not None and cfg.limit < len(train):
        train = cr_data.ArrayDataset(train.x[:cfg.limit], train.y[:cfg.limit], name=train.name,
                                     classes=train.classes)
    val = None
    if cfg.val_fraction > 0:
        train, val = cr_data.train_val_split(train, cfg.val_fraction, seed=seed + 1)
    parts = [_laid_out(d, cfg.flatten) if d is not None else None for d in (train, val, test)]
    return Splits(*parts, regression=train.y.dtype.kind == "f",
                  schema=getattr(loaded, "schema", None))


def _options(step: Section) -> dict[str, Any]:
    return {k: getattr(step, k) for k in type(step).model_fields if k != "name"}


PREPROCESS: dict[str, Callable[..., Any]] = {
    "centre": pre.MeanCentre, "standardize": pre.Standardize, "minmax": pre.MinMaxScale,
    "pca": pre.PCA, "pca_whiten": pre.PCAWhiten, "zca_whiten": pre.ZCAWhiten}
"""Preprocessing step name -> class; the step's options are its keyword arguments."""


def build_preprocess(steps: list[Section]) -> Any | None:
    """A pipeline of the configured steps (not yet fitted), or None."""
    if not steps:
        return None
    return pre.Pipeline([PREPROCESS[s.name](**_options(s)) for s in steps])


AUGMENT: dict[str, Callable[..., Any]] = {
    "flip": aug.RandomFlip, "crop": aug.RandomCrop, "translate": aug.RandomTranslate,
    "rotate": aug.RandomRotation, "noise": aug.GaussianNoise, "mixup": aug.Mixup,
    "label_noise": aug.LabelNoise}
"""Augmentation step name -> class; the step's options are its keyword arguments."""
NEEDS_CLASSES = frozenset({"mixup", "label_noise"})
"""Steps that are also given the number of classes (they change the targets)."""


def build_augment(steps: list[Section], num_classes: int | None) -> Any | None:
    """The batch transform ``f(x, y, rng)`` of the configured augmentations, or None."""
    if not steps:
        return None
    return aug.Compose([AUGMENT[s.name](**_options(s), **(
        {"num_classes": num_classes} if s.name in NEEDS_CLASSES else {})) for s in steps])


def build_model(cfg: ModelConfig, input_shape: tuple[int, ...],
                out_features: int) -> nn.Sequential:
    """The layers in order, each built by its registered kind from the sample shape before it.

    A ``Flatten`` goes in front of the first layer that takes flat samples when the
    samples are not flat yet (images kept whole for augmentation or convolution). The
    last layer with a ``head_option`` (``linear``, ``maxout``) gets the data's output
    size, so one config fits any number of classes.
    """
    specs = [(layer_kind(layer.type), options_of(layer)) for layer in cfg.layers]
    head = max((i for i, (kind, _) in enumerate(specs) if kind.head_option), default=None)
    layers: list[nn.Module] = []
    shape = tuple(int(n) for n in input_shape)
    for i, (kind, options) in enumerate(specs):
        if i == head:
            options[kind.head_option] = out_features
        if kind.flat_input and len(shape) != 1:
            layers.append(nn.Flatten())
            shape = (math.prod(shape),)
        try:
            layers.append(kind.make(options, shape))
            shape = kind.out_shape(options, shape)
        except ValueError as exc:
            raise ValueError(f"model.layers.{i} ({kind.name}) on samples of shape {shape}: "
                             f"{exc}") from None
    if shape != (out_features,):
        raise ValueError(f"model.layers: the network ends with samples of shape {shape} but "
                         f"the data needs ({out_features},); end with a linear layer")
    return nn.Sequential(*layers)


INITS: dict[str, Callable[[Any], Any]] = {
    "small_normal": nn.init.small_normal_, "xavier_normal": nn.init.xavier_normal_,
    "xavier_uniform": nn.init.xavier_uniform_, "xavier_fan_in": nn.init.xavier_fan_in_normal_,
    "kaiming_normal": nn.init.kaiming_normal_, "kaiming_uniform": nn.init.kaiming_uniform_,
    "orthogonal": nn.init.orthogonal_}
"""Init scheme name -> in-place initialiser of a weight (``lsuv`` needs data, see below)."""


def initialise(model: nn.Module, scheme: str, batch: np.ndarray) -> None:
    """Re-initialise the weight of every layer whose kind has the ``"weights"`` role with
    ``scheme`` (its other parameters to zero); LSUV uses ``batch``."""
    if scheme == "default":
        return
    if scheme == "lsuv":
        nn.init.lsuv_(model, batch)
        return
    for module in modules_with_role(model, "weights"):
        for name, p in module.named_parameters():
            if name.endswith("weight"):
                INITS[scheme](p)
            else:
                nn.init.zeros_(p)


def output_size(cfg: RunConfig, splits: Splits) -> int:
    """Units of the last layer: classes for classification, target width for regression."""
    y = splits.train.y
    if splits.regression:
        return 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
    if cfg.loss.name == "bce_with_logits":
        return 1
    return int(splits.train.num_classes)


def _shaped(loss: Callable[[Tensor, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    """``loss`` on the output reshaped to the target's shape and the target in its dtype."""
    def shaped(output: Tensor, target: Any) -> Tensor:
        y = target.data if isinstance(target, Tensor) else np.asarray(target)
        return loss(output.reshape(y.shape), y.astype(output.dtype))
    return shaped


def _cross_entropy(cfg: LossConfig, regression: bool) -> Callable[[Tensor, Any], Tensor]:
    if regression:
        raise ValueError("loss.name: cross_entropy needs class labels, but this dataset has "
                         "real-valued targets; use 'mse' or 'l1'")
    return nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)


LOSSES: dict[str, Callable[[LossConfig, bool], Callable[[Tensor, Any], Tensor]]] = {
    "cross_entropy": _cross_entropy,
    "bce_with_logits": lambda cfg, regression: _shaped(F.binary_cross_entropy_with_logits),
    "mse": lambda cfg, regression: _shaped(F.mse_loss),
    "l1": lambda cfg, regression: _shaped(F.l1_loss)}
"""Loss name -> maker ``f(loss_section, regression) -> loss(output, target)``."""


def build_loss(cfg: LossConfig, regression: bool) -> Callable[[Tensor, Any], Tensor]:
    """The loss as ``f(output, target)``, shaping outputs to fit the targets where needed."""
    return LOSSES[cfg.name](cfg, regression)


def _activation_l1(strength: float, model: nn.Module) -> Any:
    hidden = modules_with_role(model, "activation")
    if not hidden:
        raise ValueError("regularization.activation_l1: the model has no activation layer")
    return reg.ActivationL1(strength, hidden)


PENALTIES: dict[str, Callable[[float, nn.Module], Any]] = {
    "l2": lambda v, model: reg.L2(v), "l1": lambda v, model: reg.L1(v),
    "activation_l1": _activation_l1, "max_norm": lambda v, model: reg.MaxNorm(v),
    "weight_noise": lambda v, model: reg.WeightNoise(v)}  # global generator: checkpointed
"""``[regularization]`` key -> maker of its regularizer, used when the value is set (> 0)."""


def build_regularizers(cfg: RegularizationConfig, model: nn.Module, seed: int) -> list[Any]:
    """The configured penalties and constraints (biases and batch-norm parameters excluded)."""
    return [make(getattr(cfg, key), model) for key, make in PENALTIES.items()
            if getattr(cfg, key)]
