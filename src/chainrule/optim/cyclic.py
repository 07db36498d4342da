"""Cyclic and one-cycle schedules (absolute rates, optional momentum cycling) and sequencing.

``CyclicLR`` and ``OneCycleLR`` reproduce torch's arithmetic exactly,
including its default ``cycle_momentum=True``: :class:`~chainrule.optim.LRScheduler`
then also sets each group's ``momentum`` (or Adam's beta1) from
``schedule.momentum(step)``. ``SequentialLR`` runs schedules one after the
other (``with_warmup`` puts a linear warm-up in front of any schedule).
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

from chainrule.optim.schedules import LinearLR, LRSchedule, _check, _is_int, _is_number


@dataclass
class CyclicLR(LRSchedule):
    """Cyclical learning rates (Smith, 2017) between ``base_lr`` and ``max_lr``.

    Each cycle rises for ``step_size_up`` steps and falls for
    ``step_size_down`` (default: the same). ``mode``: ``"triangular"`` keeps
    the amplitude, ``"triangular2"`` halves it each cycle, ``"exp_range"``
    scales it by ``gamma ** step``. With ``cycle_momentum`` the momentum moves
    opposite to the rate, between ``max_momentum`` and ``base_momentum``.
    Defaults as torch.
    """

    base_lr: float
    max_lr: float
    step_size_up: int = 2000
    step_size_down: int | None = None
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular"
    gamma: float = 1.0
    cycle_momentum: bool = True
    base_momentum: float = 0.8
    max_momentum: float = 0.9

    def __post_init__(self) -> None:
        _check(_is_number(self.base_lr) and _is_number(self.max_lr),
               f"CyclicLR: base_lr and max_lr must be non-negative, got {self.base_lr!r}, "
               f"{self.max_lr!r}")
        _check(_is_int(self.step_size_up, 1),
               f"CyclicLR: step_size_up must be a positive int, got {self.step_size_up!r}")
        _check(self.step_size_down is None or _is_int(self.step_size_down, 1),
               f"CyclicLR: step_size_down must be a positive int, got {self.step_size_down!r}")
        _check(self.mode in ("triangular", "triangular2", "exp_range"),
               f"CyclicLR: mode is invalid: {self.mode!r} (triangular, triangular2, exp_range)")
        _check(_is_number(self.gamma), f"CyclicLR: gamma must be non-negative, got {self.gamma!r}")

    def _phase(self, step: int) -> tuple[float, float]:
        """(rise or fall fraction in [0, 1], amplitude scale), torch's arithmetic."""
        up = float(self.step_size_up)
        total = up + (float(self.step_size_down) if self.step_size_down is not None else up)
        ratio = up / total
        cycle = math.floor(1 + step / total)
        x = 1.0 + step / total - cycle
        frac = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if self.mode == "triangular":
            amp = 1.0
        elif self.mode == "triangular2":
            amp = 1 / (2.0 ** (cycle - 1))
        else:
            amp = self.gamma ** step
        return frac, amp

    def _value(self, step: int) -> float:
        frac, amp = self._phase(step)
        return self.base_lr + (self.max_lr - self.base_lr) * frac * amp

    def momentum(self, step: int) -> float | None:
        if not self.cycle_momentum:
            return None
        frac, amp = self._phase(step)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * frac * amp


@dataclass
class OneCycleLR(LRSchedule):
    """The 1cycle policy (Smith & Topin, 2019).

    The rate warms up from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of ``total_steps``, then anneals (``"cos"`` or ``"linear"``)
    to ``max_lr / div_factor / final_div_factor``; ``three_phase`` comes back
    down to the initial rate symmetrically before the final annealing. With
    ``cycle_momentum`` the momentum goes the opposite way. Defaults as torch.
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: Literal["cos", "linear"] = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    cycle_momentum: bool = True
    base_momentum: float = 0.85
    max_momentum: float = 0.95

    def __post_init__(self) -> None:
        _check(_is_int(self.total_steps, 1),
               f"Expected positive integer total_steps, but got {self.total_steps!r}")
        _check(isinstance(self.pct_start, float) and 0 <= self.pct_start <= 1,
               f"Expected float between 0 and 1 pct_start, but got {self.pct_start!r}")
        _check(self.anneal_strategy in ("cos", "linear"),
               "anneal_strategy must be one of 'cos' or 'linear', instead got "
               f"{self.anneal_strategy!r}")
        _check(_is_number(self.max_lr), f"OneCycleLR: max_lr must be non-negative, "
                                        f"got {self.max_lr!r}")
        _check(all(_is_number(f) and f > 0 for f in (self.div_factor, self.final_div_factor)),
               "OneCycleLR: div_factor and final_div_factor must be positive, got "
               f"{self.div_factor!r} and {self.final_div_factor!r}")

    def _phases(self) -> list[tuple[float, str, str]]:
        """(end step, start key, end key) of each phase, as torch lays them out."""
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            return [(float(p * n) - 1, "initial", "max"), (float(2 * p * n) - 2, "max", "initial"),
                    (n - 1, "initial", "min")]
        return [(float(p * n) - 1, "initial", "max"), (n - 1, "max", "min")]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _at(self, step: int, values: dict[str, float]) -> float:
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        start_step = 0.0
        phases = self._phases()
        for i, (end_step, start, end) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step)
                return self._anneal(values[start], values[end], pct)
            start_step = end_step
        raise AssertionError("unreachable")

    def _value(self, step: int) -> float:
        initial = self.max_lr / self.div_factor
        return self._at(step, {"initial": initial, "max": self.max_lr,
                               "min": initial / self.final_div_factor})

    def momentum(self, step: int) -> float | None:
        if not self.cycle_momentum:
            return None
        return self._at(step, {"initial": self.max_momentum, "max": self.base_momentum,
                               "min": self.max_momentum})


@dataclass
class SequentialLR(LRSchedule):
    """Run ``schedules[i]`` from ``milestones[i - 1]`` on, each restarted at its own step 0.

    As ``torch.optim.lr_scheduler.SequentialLR``: ``len(milestones)`` must be
    ``len(schedules) - 1``. The usual use is a warm-up, see :func:`with_warmup`.
    """

    schedules: list[LRSchedule]
    milestones: list[int]

    def __post_init__(self) -> None:
        self.schedules, self.milestones = list(self.schedules), list(self.milestones)
        _check(len(self.schedules) >= 1 and
               all(isinstance(s, LRSchedule) for s in self.schedules),
               "SequentialLR expects a list of at least one schedule")
        _check(len(self.milestones) == len(self.schedules) - 1,
               "Sequential Schedulers expects number of schedulers provided to be one more than "
               f"the number of milestone points, but got number of schedulers "
               f"{len(self.schedules)} and the number of milestones to be equal to "
               f"{len(self.milestones)}")
        _check(all(_is_int(m, 1) for m in self.milestones) and
               self.milestones == sorted(set(self.milestones)),
               f"SequentialLR: milestones must be increasing positive ints, got {self.milestones}")

    def _active(self, step: int) -> tuple[LRSchedule, int]:
        i = bisect_right(self.milestones, step)
        return self.schedules[i], step - (self.milestones[i - 1] if i else 0)

    def _value(self, step: int) -> float:
        schedule, local = self._active(step)
        return schedule(local)

    def momentum(self, step: int) -> float | None:
        schedule, local = self._active(step)
        return schedule.momentum(local)

    def with_base_lr(self, lr: float) -> SequentialLR:
        return dataclasses.replace(self, schedules=[s.with_base_lr(lr) for s in self.schedules])


def with_warmup(schedule: LRSchedule, warmup_steps: int, start_factor: float = 0.1,
                ) -> SequentialLR:
    """``schedule`` after a linear warm-up from ``start_factor * lr`` over ``warmup_steps``.

    ``SequentialLR([LinearLR(start_factor, 1.0, warmup_steps), schedule], [warmup_steps])``;
    the warm-up climbs to ``schedule``'s ``base_lr`` when it has one, else to the
    group's rate that :class:`~chainrule.optim.LRScheduler` supplies.

    Args:
        schedule: what follows the warm-up (it starts at its own step 0).
        warmup_steps: length of the warm-up (positive).
        start_factor: the first step's fraction of the rate. Defaults to ``0.1``.
    """
    base = schedule.base_lr if schedule.needs_base else None
    warmup = LinearLR(start_factor, 1.0, warmup_steps, base_lr=base)
    return SequentialLR([warmup, schedule], [warmup_steps])
