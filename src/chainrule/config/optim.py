"""``[optimizer]`` and ``[schedule]``: tagged unions on ``name``, one model per variant.

The option names are the keyword arguments of the optimizer and schedule each
variant builds (:mod:`chainrule.optim`); ``clip_grad_norm`` and ``decay_bias``
are read by the run set-up, not by the optimizer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, PositiveInt

from chainrule.config.section import Fraction, NonNegFloat, Section


# -------------------------------------------------------------- optimizer
class _Opt(Section):
    lr: PositiveFloat
    weight_decay: NonNegFloat = 0.0
    clip_grad_norm: PositiveFloat | None = None
    decay_bias: bool = False  # apply weight decay to biases and batch-norm parameters too


class SGDConfig(_Opt):
    name: Literal["sgd"]
    lr: PositiveFloat = 0.01
    momentum: Fraction = 0.0
    dampening: Fraction = 0.0
    nesterov: bool = False


class AdamConfig(_Opt):
    name: Literal["adam", "adamw"]
    lr: PositiveFloat = 1e-3
    betas: tuple[Fraction, Fraction] = (0.9, 0.999)
    eps: PositiveFloat = 1e-8
    amsgrad: bool = False


class RMSpropConfig(_Opt):
    name: Literal["rmsprop"]
    lr: PositiveFloat = 1e-2
    alpha: Fraction = 0.99
    eps: PositiveFloat = 1e-8
    momentum: Fraction = 0.0
    centered: bool = False


class AdagradConfig(_Opt):
    name: Literal["adagrad"]
    lr: PositiveFloat = 1e-2
    lr_decay: NonNegFloat = 0.0
    eps: PositiveFloat = 1e-10


OptimizerConfig = Annotated[SGDConfig | AdamConfig | RMSpropConfig | AdagradConfig,
                            Field(discriminator="name")]


# --------------------------------------------------------------- schedule
class _Sched(Section):
    warmup_steps: Annotated[int, Field(ge=0)] = 0


class ConstantSchedule(_Sched):
    name: Literal["constant"]


class StepSchedule(_Sched):
    name: Literal["step"]
    step_size: PositiveInt
    gamma: PositiveFloat = 0.1


class ExponentialSchedule(_Sched):
    name: Literal["exponential"]
    gamma: PositiveFloat


class InverseTimeSchedule(_Sched):
    name: Literal["inverse_time"]
    decay_rate: PositiveFloat
    decay_steps: PositiveInt = 1


class CosineSchedule(_Sched):
    name: Literal["cosine"]
    eta_min: NonNegFloat = 0.0


class CosineRestartsSchedule(_Sched):
    name: Literal["cosine_restarts"]
    T_0: PositiveInt
    T_mult: PositiveInt = 1
    eta_min: NonNegFloat = 0.0


class CyclicSchedule(_Sched):
    name: Literal["cyclic"]
    base_lr: PositiveFloat
    max_lr: PositiveFloat
    step_size_up: PositiveInt = 2000
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular"
    gamma: PositiveFloat = 1.0


class OneCycleSchedule(_Sched):
    name: Literal["one_cycle"]
    max_lr: PositiveFloat
    pct_start: Annotated[float, Field(gt=0, lt=1)] = 0.3
    div_factor: PositiveFloat = 25.0
    final_div_factor: PositiveFloat = 1e4


class PlateauSchedule(Section):
    name: Literal["plateau"]
    monitor: str = "val_loss"
    factor: Annotated[float, Field(gt=0, lt=1)] = 0.1
    patience: Annotated[int, Field(ge=0)] = 10
    min_lr: NonNegFloat = 0.0


ScheduleConfig = Annotated[
    ConstantSchedule | StepSchedule | ExponentialSchedule | InverseTimeSchedule | CosineSchedule
    | CosineRestartsSchedule | CyclicSchedule | OneCycleSchedule | PlateauSchedule,
    Field(discriminator="name")]
