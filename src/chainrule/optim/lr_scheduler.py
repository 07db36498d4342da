"""Drive an optimizer's learning rate as ``torch.optim.lr_scheduler`` does, and plot schedules.

:class:`LRScheduler` evaluates a schedule of the step (see ``schedules.py``)
at every ``.step()`` and writes the result into each parameter group's
``lr``; :class:`ReduceLROnPlateau` lowers the rate when a metric stops
improving. Both save their position with ``state_dict`` (JSON values only).
torch's scheduler classes (``StepLR(optimizer, step_size, gamma)``, ...) are
here with torch's constructor signatures, each an :class:`LRScheduler` over
the schedule of the same name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from chainrule.optim import cyclic, schedules
from chainrule.optim.schedules import LRSchedule


class LRScheduler:
    """Set each group's learning rate to ``schedule(t)`` at the t-th call of ``step()``.

    As in torch, construction already applies ``schedule(0)``; call
    ``scheduler.step()`` after each ``optimizer.step()`` (or once per epoch).
    A schedule without ``base_lr`` is made relative to each group's current
    ``lr``. Schedules with ``momentum(step)`` (CyclicLR, OneCycleLR with
    ``cycle_momentum``) also set the group's ``momentum`` or ``betas[0]``.

    Args:
        optimizer: a chainrule optimizer.
        schedule: one schedule for every group, or a list with one per group.
            A plain callable ``step -> lr`` works too (it is not saved by ``state_dict``).
        last_epoch: the last step already taken. Defaults to ``-1`` (start).

    Example:
        >>> import chainrule as cr
        >>> from chainrule import optim
        >>> opt = optim.SGD([cr.zeros(2, requires_grad=True)], lr=0.1)
        >>> sched = optim.LRScheduler(opt, optim.StepLR(step_size=2, gamma=0.5))
        >>> [(sched.get_last_lr()[0], sched.step())[0] for _ in range(5)]
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(self, optimizer: Any, schedule: Callable[[int], float] | Sequence[Any],
                 last_epoch: int = -1):
        groups = optimizer.param_groups
        schedules = list(schedule) if isinstance(schedule, (list, tuple)) else \
            [schedule] * len(groups)
        if len(schedules) != len(groups):
            raise ValueError(f"LRScheduler: got {len(schedules)} schedules for "
                             f"{len(groups)} param groups")
        for i, s in enumerate(schedules):
            if not callable(s):
                raise TypeError(f"LRScheduler: schedule {i} is a {type(s).__name__}, expected a "
                                "callable of the step such as optim.CosineAnnealingLR(T_max=100)")
        self.optimizer = optimizer
        self.base_lrs = [float(g["lr"]) for g in groups]
        self.schedules = [s.with_base_lr(lr) if isinstance(s, LRSchedule) else s
                          for s, lr in zip(schedules, self.base_lrs, strict=True)]
        for i, (s, group) in enumerate(zip(self.schedules, groups, strict=True)):
            if getattr(s, "cycle_momentum", False):
                _check_momentum_group(i, group, type(s).__name__)
        self.last_epoch = last_epoch
        self._last_lr: list[float] = []
        self.step()

    def step(self) -> None:
        """Advance one step (or epoch) and set the groups' learning rates."""
        self.last_epoch += 1
        for group, s in zip(self.optimizer.param_groups, self.schedules, strict=True):
            # not validated here: a schedule may step once past its end (as torch's linear
            # one-cycle does) as long as the optimizer never steps with that rate
            group["lr"] = float(s(self.last_epoch))
            momentum = s.momentum(self.last_epoch) if isinstance(s, LRSchedule) else None
            if momentum is not None:
                if "betas" in group:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """``{"last_epoch", "base_lrs", "schedules"}`` (schedules' parameters, ``None`` for plain
        callables)."""
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs),
                "schedules": [s.state_dict() if isinstance(s, LRSchedule) else None
                              for s in self.schedules]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the position (``last_epoch``) and the schedules; checked before any change."""
        if not isinstance(state, dict) or set(state) != {"last_epoch", "base_lrs", "schedules"}:
            raise ValueError("LRScheduler.load_state_dict: expected the dict of state_dict()")
        if not isinstance(state["last_epoch"], int) or state["last_epoch"] < -1 or \
                len(state["base_lrs"]) != len(self.schedules) or \
                len(state["schedules"]) != len(self.schedules):
            raise ValueError(f"LRScheduler.load_state_dict: expected {len(self.schedules)} "
                             "schedules and an int last_epoch >= -1")
        for s, saved in zip(self.schedules, state["schedules"], strict=True):
            if isinstance(s, LRSchedule) != (saved is not None):
                raise ValueError("LRScheduler.load_state_dict: the saved schedules do not match")
            if saved is not None and saved.get("type") != type(s).__name__:
                raise ValueError(f"LRScheduler.load_state_dict: saved {saved.get('type')!r}, "
                                 f"this scheduler has {type(s).__name__}")
        for s, saved in zip(self.schedules, state["schedules"], strict=True):
            if saved is not None:
                s.load_state_dict(saved)
        self.last_epoch = state["last_epoch"]
        self.base_lrs = [float(x) for x in state["base_lrs"]]
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]


def _check_momentum_group(i: int, group: dict[str, Any], name: str) -> None:
    if "betas" in group:
        return
    if "momentum" not in group:
        raise ValueError(f"{name} with cycle_momentum=True needs an optimizer with momentum or "
                         "betas; pass cycle_momentum=False")
    if group["momentum"] == 0:
        raise ValueError(f"{name} cycles the momentum (cycle_momentum=True) but param group {i} "
                         "was built with momentum=0, which keeps no momentum buffer; build the "
                         "optimizer with momentum > 0 or pass cycle_momentum=False")


class ReduceLROnPlateau:
    """Multiply the learning rate by ``factor`` when a metric has stopped improving.

    ``step(metric)`` after each epoch: a value better than the best so far
    (by ``threshold``, relative or absolute) resets the count of bad epochs;
    after more than ``patience`` bad epochs every group's rate becomes
    ``max(lr * factor, min_lr)`` (changes smaller than ``eps`` are skipped)
    and ``cooldown`` epochs pass before bad epochs count again. Same rules and
    defaults as torch's.

    Args:
        optimizer: a chainrule optimizer.
        mode: ``"min"`` (lower is better) or ``"max"``. Defaults to ``"min"``.
        factor: the multiplier, in (0, 1). Defaults to ``0.1``.
        patience: bad epochs tolerated. Defaults to ``10``.
        threshold: the least improvement that counts. Defaults to ``1e-4``.
        threshold_mode: ``"rel"`` or ``"abs"``. Defaults to ``"rel"``.
        cooldown: epochs to wait after a reduction. Defaults to ``0``.
        min_lr: lower bound, one for all groups or a list. Defaults to ``0``.
        eps: smallest change applied. Defaults to ``1e-8``.
    """

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | Sequence[float] = 0.0, eps: float = 1e-8):
        n = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', "
                             f"got {threshold_mode!r}")
        if len(min_lrs) != n:
            raise ValueError(f"expected {n} min_lrs, got {len(min_lrs)}")
        if not (isinstance(patience, int) and patience >= 0 and isinstance(cooldown, int)
                and cooldown >= 0):
            raise ValueError("ReduceLROnPlateau: patience and cooldown must be non-negative ints, "
                             f"got {patience!r} and {cooldown!r}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, float(factor), patience
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, [float(m) for m in min_lrs], float(eps)
        self.best: float | None = None  # None: no metric seen yet
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _is_better(self, value: float) -> bool:
        if self.best is None:  # torch compares with +inf (min) or -inf (max)
            return value < math.inf if self.mode == "min" else value > -math.inf
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            return sign * value < sign * self.best * (1.0 - sign * self.threshold)
        return sign * value < sign * self.best - self.threshold

    def step(self, metric: float) -> None:
        """Record one epoch's ``metric`` and reduce the rates if it has plateaued."""
        value = float(metric)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new = max(group["lr"] * self.factor, low)
                if group["lr"] - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The current learning rates, one per group."""
        return list(self._last_lr)

    _KEYS = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lrs",
             "eps", "best", "num_bad_epochs", "cooldown_counter", "last_epoch")

    def state_dict(self) -> dict[str, Any]:
        """The settings and the running state (best value, counters), JSON values only."""
        return {k: list(v) if isinstance(v, list) else v
                for k, v in ((k, getattr(self, k)) for k in self._KEYS)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output (keys checked before anything changes)."""
        if not isinstance(state, dict) or set(state) != set(self._KEYS):
            raise ValueError(f"ReduceLROnPlateau.load_state_dict: expected the keys "
                             f"{sorted(self._KEYS)}")
        if len(state["min_lrs"]) != len(self.optimizer.param_groups):
            raise ValueError(f"ReduceLROnPlateau.load_state_dict: {len(state['min_lrs'])} "
                             f"min_lrs for {len(self.optimizer.param_groups)} param groups")
        for k in self._KEYS:
            setattr(self, k, list(state[k]) if k == "min_lrs" else state[k])


# ************************************************************* torch's classes


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size), as ``torch.optim.lr_scheduler.StepLR``."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        super().__init__(optimizer, schedules.StepLR(step_size, gamma), last_epoch)


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones passed), as torch."""

    def __init__(self, optimizer: Any, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1):
        super().__init__(optimizer, schedules.MultiStepLR(list(milestones), gamma), last_epoch)


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch, as torch."""

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1):
        super().__init__(optimizer, schedules.ExponentialLR(gamma), last_epoch)


class CosineAnnealingLR(LRScheduler):
    """eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2, as torch."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1):
        super().__init__(optimizer, schedules.CosineAnnealingLR(T_max, eta_min), last_epoch)


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing restarted after T_0, T_0 T_mult, ... epochs, as torch."""

    def __init__(self, optimizer: Any, T_0: int, T_mult: int = 1,  # noqa: N803
                 eta_min: float = 0.0, last_epoch: int = -1):
        super().__init__(optimizer, schedules.CosineAnnealingWarmRestarts(T_0, T_mult, eta_min),
                         last_epoch)


def _per_group(value: float | Sequence[float], optimizer: Any, name: str) -> list[float]:
    n = len(optimizer.param_groups)
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n
    if len(values) != n:
        raise ValueError(f"expected {n} values for {name}, got {len(values)}")
    return values


class CyclicLR(LRScheduler):
    """Cyclical learning rates between ``base_lr`` and ``max_lr`` (scalars or one per group),
    with the momentum cycled the other way; torch's signature (``scale_fn`` not supported)."""

    def __init__(self, optimizer: Any, base_lr: float | Sequence[float],
                 max_lr: float | Sequence[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9, last_epoch: int = -1):
        if scale_fn is not None:
            raise ValueError("CyclicLR: scale_fn is not supported; use mode='triangular', "
                             "'triangular2' or 'exp_range'")
        made = [cyclic.CyclicLR(lo, hi, step_size_up, step_size_down, mode, gamma,
                                cycle_momentum, base_momentum, max_momentum)
                for lo, hi in zip(_per_group(base_lr, optimizer, "base_lr"),
                                  _per_group(max_lr, optimizer, "max_lr"), strict=True)]
        super().__init__(optimizer, made, last_epoch)


class OneCycleLR(LRScheduler):
    """The 1cycle policy, torch's signature: ``total_steps`` or ``epochs * steps_per_epoch``."""

    def __init__(self, optimizer: Any, max_lr: float | Sequence[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: pass total_steps, or epochs and steps_per_epoch")
            total_steps = epochs * steps_per_epoch
        made = [cyclic.OneCycleLR(m, total_steps, pct_start, anneal_strategy, div_factor,
                                  final_div_factor, three_phase, cycle_momentum, base_momentum,
                                  max_momentum)
                for m in _per_group(max_lr, optimizer, "max_lr")]
        super().__init__(optimizer, made, last_epoch)


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch) (one function, or one per group), as torch.

    Plain functions: ``state_dict`` keeps the position, not the functions.
    """

    def __init__(self, optimizer: Any, lr_lambda: Callable[[int], float] | Sequence[Callable],
                 last_epoch: int = -1):
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else \
            [lr_lambda] * len(optimizer.param_groups)
        bases = [float(g["lr"]) for g in optimizer.param_groups]
        if len(lambdas) != len(bases):
            raise ValueError(f"LambdaLR: expected {len(bases)} lr_lambdas, got {len(lambdas)}")
        super().__init__(optimizer, [_Scaled(base, fn) for base, fn in
                                     zip(bases, lambdas, strict=True)], last_epoch)


class _Scaled:
    """``step -> base * fn(step)``: LambdaLR's schedule of one group."""

    def __init__(self, base: float, fn: Callable[[int], float]):
        if not callable(fn):
            raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(fn).__name__}")
        self.base, self.fn = base, fn

    def __call__(self, step: int) -> float:
        return self.base * self.fn(step)


def plot_schedule(schedule: Callable[[int], float] | Sequence[float], steps: int | None = None,
                  ax: Any = None, label: str | None = None) -> Any:
    """Plot a schedule's learning rate against the step; return the matplotlib figure.

    Drawn by :func:`chainrule.viz.plot_learning_rate` (Agg canvas, no display
    needed); a metric-driven :class:`ReduceLROnPlateau` is plotted from the
    rates it set, e.g. a list of ``get_last_lr()[0]`` recorded per epoch.

    Args:
        schedule: a callable ``step -> lr`` or a sequence of rates.
        steps: how many steps to plot (required for a callable).
        ax: an existing ``Axes`` to draw into. Defaults to a new figure.
        label: legend label. Defaults to the schedule's class name.
    """
    from chainrule.viz import plot_learning_rate

    if callable(schedule):
        if steps is None or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"plot_schedule: steps must be a positive int, got {steps!r}")
        values = [float(schedule(t)) for t in range(steps)]
    else:
        values = [float(v) for v in schedule]
    return plot_learning_rate(values, ax=ax, label_text=label or type(schedule).__name__)
