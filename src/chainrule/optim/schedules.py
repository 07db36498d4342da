"""Learning-rate schedules as functions of the step: ``schedule(step) -> lr``.

Each schedule is a small dataclass whose call gives the rate at a step
(counted from 0), in closed form, with the parameter names of its
``torch.optim.lr_scheduler`` counterpart. Schedules relative to a starting
rate take ``base_lr``; left ``None``, :class:`~chainrule.optim.LRScheduler`
fills it with each parameter group's learning rate, as torch does. A schedule
has no position of its own (the step is passed in), so ``state_dict`` is its
parameters: a dict of JSON values, rebuilt by :func:`schedule_from_state_dict`.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, ClassVar

_REGISTRY: dict[str, type[LRSchedule]] = {}


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _is_int(x: Any, low: int) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool) and x >= low


def _is_number(x: Any, low: float = 0.0) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and x >= low


@dataclass
class LRSchedule:
    """Base class: ``__call__(step)``, ``momentum(step)``, ``with_base_lr``, ``state_dict``."""

    needs_base: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def __call__(self, step: int) -> float:
        """The learning rate at ``step`` (0 for the first update)."""
        if not _is_int(step, 0):
            raise ValueError(f"{type(self).__name__}: step must be a non-negative int, "
                             f"got {step!r}")
        return float(self._value(int(step)))

    def _value(self, step: int) -> float:
        raise NotImplementedError

    def momentum(self, step: int) -> float | None:
        """The momentum (or beta1) to set at ``step``, or ``None`` if this schedule leaves it."""
        return None

    @property
    def base(self) -> float:
        """``base_lr``; raises if it was never given."""
        if self.base_lr is None:
            raise ValueError(f"{type(self).__name__} has no base_lr: pass base_lr=..., or drive an "
                             "optimizer with LRScheduler(optimizer, schedule), which uses each "
                             "param group's lr")
        return self.base_lr

    def with_base_lr(self, lr: float) -> LRSchedule:
        """A copy relative to ``lr`` if this schedule needs a base and has none; else itself."""
        if self.needs_base and self.base_lr is None:
            return dataclasses.replace(self, base_lr=lr)
        return self

    def state_dict(self) -> dict[str, Any]:
        """``{"type": class name, parameter: value, ...}``, all JSON values."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            out[f.name] = _to_json(getattr(self, f.name))
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take the parameters of ``state`` (validated first; nothing changes on error)."""
        if not isinstance(state, dict) or state.get("type") != type(self).__name__:
            got = state.get("type") if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state is for {got!r}")
        other = schedule_from_state_dict(state)
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(other, f.name))


def _to_json(value: Any) -> Any:
    if isinstance(value, LRSchedule):
        return value.state_dict()
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, Real) and not isinstance(value, (bool, int, float)):
        return value.item()  # a NumPy scalar
    return value


def schedule_from_state_dict(state: dict[str, Any]) -> LRSchedule:
    """Rebuild a schedule from :meth:`LRSchedule.state_dict` output."""
    if not isinstance(state, dict) or state.get("type") not in _REGISTRY:
        got = state.get("type") if isinstance(state, dict) else state
        raise ValueError(f"unknown schedule type {got!r}; known: {sorted(_REGISTRY)}")
    cls = _REGISTRY[state["type"]]
    kwargs = {k: v for k, v in state.items() if k != "type"}
    names = {f.name for f in dataclasses.fields(cls)}
    if set(kwargs) - names:
        raise ValueError(f"{cls.__name__}: unknown parameter(s) {sorted(set(kwargs) - names)}; "
                         f"the parameters are {sorted(names)}")
    if "schedules" in kwargs:
        kwargs["schedules"] = [schedule_from_state_dict(s) for s in kwargs["schedules"]]
    return cls(**kwargs)


# ------------------------------------------------------------------ decays of a base rate


@dataclass
class ConstantLR(LRSchedule):
    """``base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``.

    ``ConstantLR(factor=1.0)`` is the constant schedule. Defaults as torch:
    ``factor=1/3``, ``total_iters=5``.
    """

    factor: float = 1.0 / 3
    total_iters: int = 5
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_number(self.factor) and self.factor <= 1,
               f"Constant multiplicative factor expected to be between 0 and 1, got {self.factor}")
        _check(_is_int(self.total_iters, 0),
               f"ConstantLR: total_iters must be a non-negative int, got {self.total_iters!r}")

    def _value(self, step: int) -> float:
        return self.base * (self.factor if step < self.total_iters else 1.0)


@dataclass
class StepLR(LRSchedule):
    """Step decay: ``base_lr * gamma ** (step // step_size)`` (e.g. halve every few epochs)."""

    step_size: int
    gamma: float = 0.1
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_int(self.step_size, 1),
               f"StepLR: step_size must be a positive int, got {self.step_size!r}")
        _check(_is_number(self.gamma), f"StepLR: gamma must be non-negative, got {self.gamma!r}")

    def _value(self, step: int) -> float:
        return self.base * self.gamma ** (step // self.step_size)


@dataclass
class MultiStepLR(LRSchedule):
    """``base_lr * gamma ** (number of milestones <= step)``."""

    milestones: list[int]
    gamma: float = 0.1
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.milestones = list(self.milestones)
        _check(all(_is_int(m, 0) for m in self.milestones) and
               self.milestones == sorted(set(self.milestones)),
               f"MultiStepLR: milestones must be increasing ints, got {self.milestones!r}")
        _check(_is_number(self.gamma), f"MultiStepLR: gamma must be non-negative, "
                                       f"got {self.gamma!r}")

    def _value(self, step: int) -> float:
        return self.base * self.gamma ** bisect_right(self.milestones, step)


@dataclass
class ExponentialLR(LRSchedule):
    """Exponential decay ``base_lr * gamma ** step`` (the decks' ``a0 e^{-kt}``, gamma = e^{-k})."""

    gamma: float
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_number(self.gamma), f"ExponentialLR: gamma must be non-negative, "
                                       f"got {self.gamma!r}")

    def _value(self, step: int) -> float:
        return self.base * self.gamma ** step


@dataclass
class InverseTimeLR(LRSchedule):
    """1/t decay ``base_lr / (1 + decay_rate * step / decay_steps)`` (the decks' ``a0 / (1 + kt)``).

    No torch class; equals ``LambdaLR(lambda t: 1 / (1 + decay_rate * t / decay_steps))``.
    """

    decay_rate: float
    decay_steps: int = 1
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_number(self.decay_rate),
               f"InverseTimeLR: decay_rate must be non-negative, got {self.decay_rate!r}")
        _check(_is_int(self.decay_steps, 1),
               f"InverseTimeLR: decay_steps must be a positive int, got {self.decay_steps!r}")

    def _value(self, step: int) -> float:
        return self.base / (1.0 + self.decay_rate * step / self.decay_steps)


@dataclass
class LinearLR(LRSchedule):
    """Linear warm-up (or decay): the factor goes from ``start_factor`` to ``end_factor``.

    ``base_lr * (start + (end - start) * min(step, total_iters) / total_iters)``;
    torch's defaults ``start_factor=1/3``, ``end_factor=1``, ``total_iters=5``.
    """

    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_number(self.start_factor) and 0 < self.start_factor <= 1,
               "Starting multiplicative factor expected to be greater than 0 and less or equal "
               f"to 1, got {self.start_factor!r}")
        _check(_is_number(self.end_factor) and self.end_factor <= 1,
               f"Ending multiplicative factor expected to be between 0 and 1, "
               f"got {self.end_factor!r}")
        _check(_is_int(self.total_iters, 1),
               f"LinearLR: total_iters must be a positive int, got {self.total_iters!r}")

    def _value(self, step: int) -> float:
        frac = min(self.total_iters, step) / self.total_iters
        return self.base * (self.start_factor + (self.end_factor - self.start_factor) * frac)


@dataclass
class CosineAnnealingLR(LRSchedule):
    """Cosine annealing: ``eta_min + (base_lr - eta_min) * (1 + cos(pi * step / T_max)) / 2``."""

    T_max: int
    eta_min: float = 0.0
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_int(self.T_max, 1),
               f"CosineAnnealingLR: T_max must be a positive int, got {self.T_max!r}")
        _check(_is_number(self.eta_min),
               f"CosineAnnealingLR: eta_min must be non-negative, got {self.eta_min!r}")

    def _value(self, step: int) -> float:
        cos = 1 + math.cos(math.pi * step / self.T_max)
        return self.eta_min + (self.base - self.eta_min) * cos / 2


@dataclass
class CosineAnnealingWarmRestarts(LRSchedule):
    """SGDR (Loshchilov & Hutter, 2017): cosine annealing restarted every cycle.

    The first cycle lasts ``T_0`` steps and each next one ``T_mult`` times
    longer; within a cycle of length ``T_i`` at position ``T_cur`` the rate is
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.
    """

    T_0: int
    T_mult: int = 1
    eta_min: float = 0.0
    base_lr: float | None = field(default=None, kw_only=True)
    needs_base: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check(_is_int(self.T_0, 1), f"Expected positive integer T_0, but got {self.T_0!r}")
        _check(_is_int(self.T_mult, 1), f"Expected integer T_mult >= 1, but got {self.T_mult!r}")
        _check(_is_number(self.eta_min), f"CosineAnnealingWarmRestarts: eta_min must be "
                                         f"non-negative, got {self.eta_min!r}")

    def position(self, step: int) -> tuple[int, int]:
        """``(T_cur, T_i)``: the step within the current cycle and that cycle's length."""
        if self.T_mult == 1:
            return step % self.T_0, self.T_0
        t_cur, t_i = step, self.T_0
        while t_cur >= t_i:  # exact integers; cycles grow geometrically, so few iterations
            t_cur, t_i = t_cur - t_i, t_i * self.T_mult
        return t_cur, t_i

    def _value(self, step: int) -> float:
        t_cur, t_i = self.position(step)
        return self.eta_min + (self.base - self.eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
