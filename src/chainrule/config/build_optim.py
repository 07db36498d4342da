"""Build the ``[optimizer]`` and ``[schedule]`` sections, each through one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule import nn, optim
from chainrule.nn import regularize as reg

OPTIMIZERS: dict[str, type] = {"sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW,
                               "rmsprop": optim.RMSprop, "adagrad": optim.Adagrad}
"""Optimizer name -> class; the section's options are its keyword arguments."""
_NOT_OPTIMIZER_OPTIONS = frozenset({"name", "clip_grad_norm", "decay_bias"})


def build_optimizer(cfg: Any, model: nn.Module) -> Any:
    """The configured optimizer; weight decay skips biases and batch-norm parameters unless
    ``decay_bias`` is set."""
    if cfg.weight_decay > 0 and not cfg.decay_bias:
        decay, no_decay = reg.decay_groups(model)
        params: Any = [{"params": decay}] + ([{"params": no_decay, "weight_decay": 0.0}]
                                            if no_decay else [])
    else:
        params = list(model.parameters())
    options = {k: getattr(cfg, k) for k in type(cfg).model_fields
               if k not in _NOT_OPTIMIZER_OPTIONS}
    return OPTIMIZERS[cfg.name](params, **options)


SCHEDULES: dict[str, Callable[[Any, int], Any]] = {
    "constant": lambda c, n: optim.ConstantLR(factor=1.0, total_iters=0),
    "step": lambda c, n: optim.StepLR(c.step_size, c.gamma),
    "exponential": lambda c, n: optim.ExponentialLR(c.gamma),
    "inverse_time": lambda c, n: optim.InverseTimeLR(c.decay_rate, c.decay_steps),
    "cosine": lambda c, n: optim.CosineAnnealingLR(n, c.eta_min),
    "cosine_restarts": lambda c, n: optim.CosineAnnealingWarmRestarts(c.T_0, c.T_mult,
                                                                      c.eta_min),
    "cyclic": lambda c, n: optim.CyclicLR(c.base_lr, c.max_lr, c.step_size_up, mode=c.mode,
                                          gamma=c.gamma, cycle_momentum=False),
    "one_cycle": lambda c, n: optim.OneCycleLR(c.max_lr, n, pct_start=c.pct_start,
                                               div_factor=c.div_factor,
                                               final_div_factor=c.final_div_factor,
                                               cycle_momentum=False)}
"""Step-based schedule name -> maker ``f(section, steps_after_warmup)``."""


def build_schedule(cfg: Any, optimizer: Any, total_steps: int) -> tuple[Any, str]:
    """``(schedule, interval)`` for the trainer's LRScheduler callback: a step-based
    schedule from :data:`SCHEDULES` (after ``warmup_steps`` of linear warm-up), or the
    plateau rule, which acts on the optimizer and is fed the monitored metric each epoch."""
    if cfg.name == "plateau":
        return optim.ReduceLROnPlateau(optimizer, factor=cfg.factor, patience=cfg.patience,
                                       min_lr=cfg.min_lr), "epoch"
    schedule = SCHEDULES[cfg.name](cfg, max(total_steps - cfg.warmup_steps, 1))
    if cfg.warmup_steps:
        schedule = optim.with_warmup(schedule, cfg.warmup_steps)
    return schedule, "step"
