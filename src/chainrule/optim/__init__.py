"""Optimizers as composable gradient transforms, with torch's constructors on top.

Underneath, optax's idea: a transform is ``init`` + ``update`` on a flat
buffer, composed with :func:`chain`. On top, torch's calling convention:
``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` (fused numba kernels
that equal their chains bit for bit), ``LBFGS``, learning-rate schedules with
:class:`LRScheduler` and :class:`ReduceLROnPlateau`, weight averaging, and
full-batch scipy / Newton methods.

    >>> import chainrule as cr
    >>> from chainrule import nn, optim
    >>> model = nn.Linear(3, 1)
    >>> opt = optim.AdamW([{"params": [model.weight]},
    ...                    {"params": [model.bias], "weight_decay": 0.0}], lr=1e-2)
    >>> sched = optim.LRScheduler(opt, optim.CosineAnnealingLR(T_max=100))
    >>> loss = (model(cr.ones(4, 3)) ** 2).mean()
    >>> loss.backward(); opt.step(); sched.step(); opt.zero_grad()
    >>> round(opt.lr, 6)
    0.009998

Layer: imports ``autograd`` (flat buffers) and ``jit``; ``plot_schedule`` uses ``viz``.
Never ``data``, ``train`` or above.
"""

from chainrule.optim.averaging import EMA, Polyak
from chainrule.optim.base import (
    EmptyState,
    GradientTransformation,
    ScalarOrSchedule,
    Schedule,
    apply_updates,
    chain,
)
from chainrule.optim.clipping import (
    clip_by_global_norm,
    clip_by_value,
    clip_grad_norm_,
    clip_grad_value_,
    skip_not_finite,
)
from chainrule.optim.cyclic import CyclicLR, OneCycleLR, SequentialLR, with_warmup
from chainrule.optim.lbfgs import LBFGS
from chainrule.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau, plot_schedule
from chainrule.optim.optimizer import Optimizer, TransformOptimizer
from chainrule.optim.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from chainrule.optim.schedules import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    InverseTimeLR,
    LinearLR,
    LRSchedule,
    MultiStepLR,
    StepLR,
    schedule_from_state_dict,
)
from chainrule.optim.second_order import hessian, minimize, newton
from chainrule.optim.transforms import (
    add_decayed_weights,
    scale,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
    scale_by_schedule,
    trace,
)

__all__ = [
    "EMA", "LBFGS", "SGD", "Adagrad", "Adam", "AdamW", "ConstantLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "CyclicLR", "EmptyState", "ExponentialLR",
    "GradientTransformation", "InverseTimeLR", "LRSchedule", "LRScheduler", "LinearLR",
    "MultiStepLR", "OneCycleLR", "Optimizer", "Polyak", "RMSprop", "ReduceLROnPlateau",
    "ScalarOrSchedule", "Schedule", "SequentialLR", "StepLR", "TransformOptimizer",
    "add_decayed_weights", "apply_updates", "chain", "clip_by_global_norm", "clip_by_value",
    "clip_grad_norm_", "clip_grad_value_", "hessian", "minimize", "newton", "plot_schedule",
    "scale", "scale_by_adagrad", "scale_by_adam", "scale_by_learning_rate", "scale_by_rms",
    "scale_by_schedule", "schedule_from_state_dict", "skip_not_finite", "trace",
    "with_warmup",
]
