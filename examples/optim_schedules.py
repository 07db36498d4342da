"""Every learning-rate schedule of ``chainrule.optim``, plotted over the steps.

The decks' decays (step, exponential, 1/t), linear warm-up, cosine annealing,
SGDR's warm restarts, cyclic and one-cycle policies, and ReduceLROnPlateau
driven by a noisy loss that stops improving. One panel per schedule in a
single PNG. Run:
``python examples/optim_schedules.py [--out runs/optim_schedules --steps 300]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import chainrule as cr
from chainrule import optim
from chainrule.viz import plot_learning_rate

BASE_LR = 0.1


def schedules(steps: int) -> dict[str, optim.LRSchedule]:
    """The schedules to draw, sized to ``steps``."""
    return {
        "constant": optim.ConstantLR(factor=1.0, total_iters=0),
        "step decay": optim.StepLR(step_size=steps // 5, gamma=0.5),
        "exponential decay": optim.ExponentialLR(gamma=0.99),
        "1/t decay": optim.InverseTimeLR(decay_rate=0.05),
        "linear warm-up, then cosine": optim.with_warmup(
            optim.CosineAnnealingLR(T_max=steps - steps // 10), steps // 10),
        "cosine with warm restarts": optim.CosineAnnealingWarmRestarts(T_0=steps // 7, T_mult=2),
        "cyclic (triangular2)": optim.CyclicLR(0.01, BASE_LR, steps // 8, mode="triangular2",
                                               cycle_momentum=False),
        "one-cycle": optim.OneCycleLR(BASE_LR, steps, cycle_momentum=False),
    }


def plateau_rates(steps: int, seed: int = 0) -> list[float]:
    """The rates ReduceLROnPlateau sets for a loss that improves, then stalls (noisy)."""
    rng = np.random.default_rng(seed)
    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=BASE_LR)
    sched = optim.ReduceLROnPlateau(opt, factor=0.5, patience=10)
    rates = []
    for t in range(steps):
        rates.append(sched.get_last_lr()[0])
        sched.step(max(1.0 - t / (steps / 3), 0.0) + 0.05 * rng.random())
    return rates


def rates_of(schedule: optim.LRSchedule, steps: int) -> list[float]:
    """The rates an optimizer sees when ``schedule`` drives it through ``LRScheduler``."""
    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=BASE_LR)
    sched = optim.LRScheduler(opt, schedule)
    rates = []
    for _ in range(steps):
        rates.append(sched.get_last_lr()[0])
        sched.step()
    return rates


def main(argv: Sequence[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/optim_schedules", help="folder for the PNG")
    parser.add_argument("--steps", type=int, default=300, help="steps to plot")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    curves = {name: rates_of(s, args.steps) for name, s in schedules(args.steps).items()}
    curves["reduce on plateau"] = plateau_rates(args.steps)
    fig = Figure(figsize=(12, 7.5), layout="constrained")
    for ax, (name, rates) in zip(fig.subplots(3, 3).ravel(), curves.items(), strict=True):
        plot_learning_rate(rates, ax=ax, title=name, hint=None, xlabel="step")
    fig.savefig(out / "schedules.png", dpi=90)
    for name, rates in curves.items():
        print(f"{name:30s} first {rates[0]:.4f}  min {min(rates):.5f}  last {rates[-1]:.5f}")
    print(f"plot written to {out / 'schedules.png'}")
    return curves


if __name__ == "__main__":
    main()
