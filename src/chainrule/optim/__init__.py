"""Optimizers as composable gradient transforms, with torch's constructors on top."""

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
