"""Turn a validated :class:`RunConfig` into data, model, loss, regularizers and optimizer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import data as cr_data
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.autograd.tensor import Tensor
from chainrule.config.schema import (
    AugmentStep,
    DataConfig,
    LossConfig,
    ModelConfig,
    PreprocessStep,
    RegularizationConfig,
    RunConfig,
)
from chainrule.data import augment as aug
from chainrule.data import preprocess as pre
from chainrule.nn import regularize as reg


@dataclass
class Splits:
    """The three parts of the data; ``test`` is None only when there is none."""

    train: Any
    val: Any
    test: Any
    regression: bool


_SYNTHETIC = {"xor": "xor", "moons": "two_moons", "circles": "circles", "spirals": "spirals"}
_SKLEARN = {"digits": "load_digits", "breast_cancer": "load_breast_cancer",
            "diabetes": "load_diabetes", "iris": "load_iris"}


def _flat(ds: Any, flatten: bool) -> Any:
    if not flatten or ds.x.ndim <= 2:
        return ds
    return cr_data.ArrayDataset(ds.x.reshape(len(ds), -1), ds.y, name=ds.name,
                                classes=ds.classes)


def build_data(cfg: DataConfig, seed: int) -> Splits:
    """Load the dataset, carve out test (when it has no fixed split) and validation parts."""
    if cfg.dataset == "mnist":
        train, test = cr_data.MNIST("train"), cr_data.MNIST("test")
    else:
        if cfg.dataset in _SKLEARN:
            full = getattr(cr_data, _SKLEARN[cfg.dataset])()
        elif cfg.dataset == "sine":
            full = cr_data.function_regression(np.sin, n=cfg.samples, noise=cfg.noise,
                                               generator=seed)
        else:
            full = getattr(cr_data, _SYNTHETIC[cfg.dataset])(n=cfg.samples, noise=cfg.noise,
                                                             generator=seed)
        train, test = cr_data.train_val_split(full, cfg.test_fraction, seed=seed) \
            if cfg.test_fraction > 0 else (full, None)
    if cfg.limit is not None and cfg.limit < len(train):
        train = cr_data.ArrayDataset(train.x[:cfg.limit], train.y[:cfg.limit], name=train.name,
                                     classes=train.classes)
    val = None
    if cfg.val_fraction > 0:
        train, val = cr_data.train_val_split(train, cfg.val_fraction, seed=seed + 1)
    parts = [_flat(d, cfg.flatten) if d is not None else None for d in (train, val, test)]
    return Splits(*parts, regression=train.y.dtype.kind == "f")


_PREPROCESS = {"centre": pre.MeanCentre, "standardize": pre.Standardize,
               "minmax": pre.MinMaxScale, "pca": pre.PCA, "pca_whiten": pre.PCAWhiten,
               "zca_whiten": pre.ZCAWhiten}


def build_preprocess(steps: list[PreprocessStep]) -> Any | None:
    """A pipeline of the configured steps (not yet fitted), or None."""
    if not steps:
        return None
    made = []
    for step in steps:
        cls = _PREPROCESS[step.name]
        if step.name in ("pca", "pca_whiten"):
            made.append(cls(n_components=step.n_components, **({"eps": step.eps}
                                                               if step.name == "pca_whiten"
                                                               else {})))
        elif step.name == "zca_whiten":
            made.append(cls(eps=step.eps))
        else:
            made.append(cls())
    return pre.Pipeline(made)


def build_augment(steps: list[AugmentStep], num_classes: int | None) -> Any | None:
    """The batch transform ``f(x, y, rng)`` of the configured augmentations, or None."""
    if not steps:
        return None
    made = []
    for s in steps:
        if s.name == "flip":
            made.append(aug.RandomFlip(horizontal=s.horizontal, vertical=s.vertical, p=s.p))
        elif s.name == "crop":
            made.append(aug.RandomCrop(size=s.size, padding=s.padding))
        elif s.name == "translate":
            made.append(aug.RandomTranslate(max_shift=s.max_shift))
        elif s.name == "rotate":
            made.append(aug.RandomRotation(degrees=s.degrees))
        elif s.name == "noise":
            made.append(aug.GaussianNoise(std=s.std))
        elif s.name == "mixup":
            made.append(aug.Mixup(alpha=s.alpha, num_classes=num_classes))
        else:
            made.append(aug.LabelNoise(fraction=s.fraction, num_classes=num_classes))
    return aug.Compose(made)


_ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "elu": nn.ELU,
                "softplus": nn.Softplus, "step": nn.Step, "identity": nn.Identity,
                "flatten": nn.Flatten}
_ACTIVATION_TYPES = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.ELU, nn.Softplus, nn.LeakyReLU, nn.PReLU,
                     nn.Maxout)


def build_model(cfg: ModelConfig, input_shape: tuple[int, ...],
                out_features: int) -> nn.Sequential:
    """Layers in order; a linear layer's input size follows from the one before it.

    Multi-dimensional samples (e.g. images kept whole for augmentation) are
    flattened by a leading ``Flatten`` layer. The last linear (or maxout)
    layer's ``out_features`` is replaced by the data's output size, so one
    config fits any number of classes.
    """
    in_features = int(np.prod(input_shape))
    last_linear = max(i for i, layer in enumerate(cfg.layers)
                      if layer.type in ("linear", "maxout")) if any(
        layer.type in ("linear", "maxout") for layer in cfg.layers) else None
    layers: list[nn.Module] = [nn.Flatten()] if len(input_shape) > 1 else []
    width = in_features
    for i, spec in enumerate(cfg.layers):
        kind = spec.type
        if kind in ("linear", "maxout"):
            out = out_features if i == last_linear else spec.out_features
            layers.append(nn.Linear(width, out, bias=spec.bias) if kind == "linear"
                          else nn.Maxout(width, out, spec.pieces))
            width = out
        elif kind == "dropout":
            layers.append(nn.Dropout(spec.p, inverted=spec.inverted))
        elif kind == "batchnorm":
            layers.append(nn.BatchNorm1d(width, eps=spec.eps, momentum=spec.momentum,
                                         affine=spec.affine))
        elif kind == "leaky_relu":
            layers.append(nn.LeakyReLU(spec.negative_slope))
        elif kind == "prelu":
            layers.append(nn.PReLU(spec.num_parameters, init=spec.init))
        else:
            layers.append(_ACTIVATIONS[kind]())
    if width != out_features:
        raise ValueError(f"model.layers: the network ends with {width} outputs but the data "
                         f"needs {out_features}; end with a linear layer")
    return nn.Sequential(*layers)


_INITS = {"small_normal": nn.init.small_normal_, "xavier_normal": nn.init.xavier_normal_,
          "xavier_uniform": nn.init.xavier_uniform_,
          "xavier_fan_in": nn.init.xavier_fan_in_normal_,
          "kaiming_normal": nn.init.kaiming_normal_,
          "kaiming_uniform": nn.init.kaiming_uniform_, "orthogonal": nn.init.orthogonal_}


def initialise(model: nn.Module, scheme: str, batch: np.ndarray) -> None:
    """Re-initialise every linear weight with ``scheme`` (biases to zero); LSUV uses ``batch``."""
    if scheme == "default":
        return
    if scheme == "lsuv":
        nn.init.lsuv_(model, batch)
        return
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Maxout)):
            for name, p in module.named_parameters():
                if name.endswith("weight"):
                    _INITS[scheme](p)
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


def build_loss(cfg: LossConfig, regression: bool) -> Callable[[Tensor, Any], Tensor]:
    """The loss as ``f(output, target)``, shaping outputs to fit the targets where needed."""
    if cfg.name == "cross_entropy":
        if regression:
            raise ValueError("loss.name: cross_entropy needs class labels, but this dataset has "
                             "real-valued targets; use 'mse' or 'l1'")
        return nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    if cfg.name == "bce_with_logits":
        def bce(output: Tensor, target: Any) -> Tensor:
            y = target.data if isinstance(target, Tensor) else np.asarray(target)
            return F.binary_cross_entropy_with_logits(output.reshape(y.shape),
                                                      y.astype(output.dtype))
        return bce
    base = F.mse_loss if cfg.name == "mse" else F.l1_loss

    def regression_loss(output: Tensor, target: Any) -> Tensor:
        y = target.data if isinstance(target, Tensor) else np.asarray(target)
        return base(output.reshape(y.shape), y.astype(output.dtype))
    return regression_loss


def build_regularizers(cfg: RegularizationConfig, model: nn.Module, seed: int) -> list[Any]:
    """The configured penalties and constraints (biases and batch-norm parameters excluded)."""
    regs: list[Any] = []
    if cfg.l2 > 0:
        regs.append(reg.L2(cfg.l2))
    if cfg.l1 > 0:
        regs.append(reg.L1(cfg.l1))
    if cfg.activation_l1 > 0:
        hidden = [m for m in model.modules() if isinstance(m, _ACTIVATION_TYPES)]
        if not hidden:
            raise ValueError("regularization.activation_l1: the model has no activation layer")
        regs.append(reg.ActivationL1(cfg.activation_l1, hidden))
    if cfg.max_norm is not None:
        regs.append(reg.MaxNorm(cfg.max_norm))
    if cfg.weight_noise > 0:
        regs.append(reg.WeightNoise(cfg.weight_noise))  # global generator: checkpointed
    return regs


def build_optimizer(cfg: Any, model: nn.Module) -> Any:
    """The configured optimizer; weight decay skips biases and batch-norm parameters unless
    ``decay_bias`` is set."""
    if cfg.weight_decay > 0 and not cfg.decay_bias:
        decay, no_decay = reg.decay_groups(model)
        params: Any = [{"params": decay}] + ([{"params": no_decay, "weight_decay": 0.0}]
                                            if no_decay else [])
    else:
        params = list(model.parameters())
    common = {"lr": cfg.lr, "weight_decay": cfg.weight_decay}
    if cfg.name == "sgd":
        return optim.SGD(params, momentum=cfg.momentum, dampening=cfg.dampening,
                         nesterov=cfg.nesterov, **common)
    if cfg.name in ("adam", "adamw"):
        cls = optim.Adam if cfg.name == "adam" else optim.AdamW
        return cls(params, betas=tuple(cfg.betas), eps=cfg.eps, amsgrad=cfg.amsgrad, **common)
    if cfg.name == "rmsprop":
        return optim.RMSprop(params, alpha=cfg.alpha, eps=cfg.eps, momentum=cfg.momentum,
                             centered=cfg.centered, **common)
    return optim.Adagrad(params, lr_decay=cfg.lr_decay, eps=cfg.eps, **common)


def build_schedule(cfg: Any, optimizer: Any, total_steps: int) -> tuple[Any, str]:
    """``(schedule, interval)`` for the trainer's LRScheduler callback; all step-based except
    the plateau rule, which is fed the monitored metric each epoch."""
    if cfg.name == "plateau":
        return optim.ReduceLROnPlateau(optimizer, factor=cfg.factor, patience=cfg.patience,
                                       min_lr=cfg.min_lr), "epoch"
    after_warmup = max(total_steps - cfg.warmup_steps, 1)
    if cfg.name == "constant":
        schedule = optim.ConstantLR(factor=1.0, total_iters=0)
    elif cfg.name == "step":
        schedule = optim.StepLR(cfg.step_size, cfg.gamma)
    elif cfg.name == "exponential":
        schedule = optim.ExponentialLR(cfg.gamma)
    elif cfg.name == "inverse_time":
        schedule = optim.InverseTimeLR(cfg.decay_rate, cfg.decay_steps)
    elif cfg.name == "cosine":
        schedule = optim.CosineAnnealingLR(after_warmup, cfg.eta_min)
    elif cfg.name == "cosine_restarts":
        schedule = optim.CosineAnnealingWarmRestarts(cfg.T_0, cfg.T_mult, cfg.eta_min)
    elif cfg.name == "cyclic":
        schedule = optim.CyclicLR(cfg.base_lr, cfg.max_lr, cfg.step_size_up, mode=cfg.mode,
                                  gamma=cfg.gamma, cycle_momentum=False)
    else:
        schedule = optim.OneCycleLR(cfg.max_lr, after_warmup, pct_start=cfg.pct_start,
                                    div_factor=cfg.div_factor,
                                    final_div_factor=cfg.final_div_factor, cycle_momentum=False)
    if cfg.warmup_steps:
        schedule = optim.with_warmup(schedule, cfg.warmup_steps)
    return schedule, "step"
