"""``[optimizer]`` and ``[schedule]``: tagged unions on ``name``, one strict model per
variant, generated from one table each (:func:`~chainrule.config.section.tagged_union`).

The option names are the keyword arguments of the optimizer and schedule each
variant builds (:mod:`chainrule.optim`); ``clip_grad_norm`` and ``decay_bias``
are read by the run set-up, not by the optimizer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, PositiveInt

from chainrule.config.section import Fraction, NonNegFloat, Options, tagged_union

_Count = Annotated[int, Field(ge=0)]
_OpenFraction = Annotated[float, Field(gt=0, lt=1)]


# -------------------------------------------------------------- optimizer
def _opt(lr: float, **options: tuple) -> Options:
    """Every optimizer's options: its own plus the learning rate, weight decay, clipping
    and whether weight decay reaches biases and batch-norm parameters."""
    return {"lr": (PositiveFloat, lr), "weight_decay": (NonNegFloat, 0.0),
            "clip_grad_norm": (PositiveFloat | None, None), "decay_bias": (bool, False),
            **options}


_ADAM = _opt(1e-3, betas=(tuple[Fraction, Fraction], (0.9, 0.999)), eps=(PositiveFloat, 1e-8),
             amsgrad=(bool, False))

OPTIMIZERS = {
    "sgd": ("SGD with momentum, dampening and Nesterov.",
            _opt(0.01, momentum=(Fraction, 0.0), dampening=(Fraction, 0.0),
                 nesterov=(bool, False))),
    "adam": ("Adam (L2 weight decay added to the gradient).", _ADAM),
    "adamw": ("AdamW (decoupled weight decay).", _ADAM),
    "rmsprop": ("RMSprop.", _opt(1e-2, alpha=(Fraction, 0.99), eps=(PositiveFloat, 1e-8),
                                 momentum=(Fraction, 0.0), centered=(bool, False))),
    "adagrad": ("Adagrad.", _opt(1e-2, lr_decay=(NonNegFloat, 0.0),
                                 eps=(PositiveFloat, 1e-10))),
}
OPTIMIZER_MODELS, OptimizerConfig = tagged_union("name", OPTIMIZERS, suffix="Config",
                                                 module=__name__)


# --------------------------------------------------------------- schedule
def _sched(**options: tuple) -> Options:
    """A step-based schedule's options, after ``warmup_steps`` of linear warm-up."""
    return {"warmup_steps": (_Count, 0), **options}


SCHEDULES = {
    "constant": ("The optimizer's learning rate throughout.", _sched()),
    "step": ("Multiply by ``gamma`` every ``step_size`` steps.",
             _sched(step_size=(PositiveInt, ...), gamma=(PositiveFloat, 0.1))),
    "exponential": ("Multiply by ``gamma`` every step.", _sched(gamma=(PositiveFloat, ...))),
    "inverse_time": ("lr / (1 + decay_rate * step / decay_steps).",
                     _sched(decay_rate=(PositiveFloat, ...), decay_steps=(PositiveInt, 1))),
    "cosine": ("Cosine annealing to ``eta_min`` over the run.",
               _sched(eta_min=(NonNegFloat, 0.0))),
    "cosine_restarts": ("SGDR: cosine annealing restarted every T_0 * T_mult**i steps.",
                        _sched(T_0=(PositiveInt, ...), T_mult=(PositiveInt, 1),
                               eta_min=(NonNegFloat, 0.0))),
    "cyclic": ("Cyclical learning rates between ``base_lr`` and ``max_lr``.",
               _sched(base_lr=(PositiveFloat, ...), max_lr=(PositiveFloat, ...),
                      step_size_up=(PositiveInt, 2000),
                      mode=(Literal["triangular", "triangular2", "exp_range"], "triangular"),
                      gamma=(PositiveFloat, 1.0))),
    "one_cycle": ("The 1cycle policy up to ``max_lr`` and down.",
                  _sched(max_lr=(PositiveFloat, ...), pct_start=(_OpenFraction, 0.3),
                         div_factor=(PositiveFloat, 25.0),
                         final_div_factor=(PositiveFloat, 1e4))),
    "plateau": ("Multiply by ``factor`` when ``monitor`` has not improved for ``patience`` "
                "epochs (no warm-up: it acts on the optimizer each epoch).",
                {"monitor": (str, "val_loss"), "factor": (_OpenFraction, 0.1),
                 "patience": (_Count, 10), "min_lr": (NonNegFloat, 0.0)}),
}
SCHEDULE_MODELS, ScheduleConfig = tagged_union("name", SCHEDULES, suffix="Schedule",
                                               module=__name__)
