"""The decks' optimisation experiments, run with ``chainrule.optim``.

1. Gradient descent on ``f(x) = 1/2 sum_i lambda_i x_i^2`` with eigenvalues
   spread over ``[1, k]`` (condition number k), at the step ``1/L`` (L = k):
   the iterations needed grow in proportion to k.
2. A 1-D quadratic ``f(x) = L/2 x^2``: below ``1/L`` the iterates shrink
   monotonically, ``1/L`` lands on the minimum in one step (the optimal rate),
   between ``1/L`` and ``2/L`` they oscillate while converging, above ``2/L``
   they diverge.
3. SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam on an ill-conditioned
   quadratic and on the Rosenbrock function: trajectories drawn over the
   contours, and loss curves.

Each experiment writes a PNG into ``--out``. Run:
``python examples/optimizer_experiments.py [--out runs/optimizer_experiments --steps 1000]``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

import chainrule as cr
from chainrule import optim

Objective = Callable[[cr.Tensor], cr.Tensor]


def descend(loss_fn: Objective, start: Sequence[float], make_opt: Callable[[list], Any],
            steps: int, stop: Callable[[float], bool] | None = None) -> tuple[np.ndarray, list]:
    """Run ``steps`` optimizer steps from ``start``; the trajectory (incl. start) and losses."""
    x = cr.tensor(np.asarray(start, dtype=np.float64), dtype="float64", requires_grad=True)
    opt = make_opt([x])
    path, losses = [x.data.copy()], []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(x)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or (stop is not None and stop(losses[-1])):
            break
        loss.backward()
        opt.step()
        path.append(x.data.copy())
    return np.array(path), losses


def quadratic(eigenvalues: Sequence[float]) -> Objective:
    """``x -> 1/2 sum_i lambda_i x_i^2``: its Hessian is diag(lambda)."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return lambda x: 0.5 * (cr.tensor(lam, dtype="float64") * x * x).sum()


def rosenbrock(x: cr.Tensor) -> cr.Tensor:
    """``(1 - x)^2 + 100 (y - x^2)^2``, minimum 0 at (1, 1) at the end of a curved valley."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2


# ------------------------------------------------------------------ 1. condition number


def condition_number(ks: Sequence[float], dim: int = 10, tol: float = 1e-6,
                     max_iter: int = 100_000) -> dict[float, int]:
    """Gradient-descent iterations (lr = 1/L) until f has fallen by ``tol``, for each k."""
    iterations = {}
    for k in ks:
        loss_fn = quadratic(np.linspace(1.0, k, dim))
        f0 = loss_fn(cr.tensor(np.ones(dim), dtype="float64")).item()
        _, losses = descend(loss_fn, np.ones(dim), lambda p, k=k: optim.SGD(p, lr=1.0 / k),
                            max_iter, stop=lambda f, f0=f0: f <= tol * f0)
        iterations[k] = len(losses) - 1
    return iterations


def plot_condition_number(iterations: dict[float, int], path: Path) -> None:
    ax = Figure(figsize=(5, 3.5)).add_subplot()
    ks = list(iterations)
    ax.loglog(ks, [iterations[k] for k in ks], "o-")
    ax.set(xlabel="condition number k", ylabel="GD iterations (lr = 1/L)",
           title="Iterations grow with the condition number")
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")


# ------------------------------------------------------------------ 2. 1-D learning rates


def one_dimensional(curvature: float = 4.0, factors: Sequence[float] = (0.5, 1.0, 1.8, 2.05),
                    steps: int = 30) -> dict[float, np.ndarray]:
    """``|x_t|`` of gradient descent on ``L/2 x^2`` from x = 1, for lr = factor / L."""
    runs = {}
    for factor in factors:
        path, _ = descend(quadratic([curvature]), [1.0],
                          lambda p, f=factor: optim.SGD(p, lr=f / curvature), steps)
        runs[factor] = path[:, 0]
    return runs


def plot_one_dimensional(runs: dict[float, np.ndarray], path: Path) -> None:
    fig = Figure(figsize=(10, 3.5))
    log_ax, signed_ax = fig.subplots(1, 2)
    for factor, xs in runs.items():
        label = f"lr = {factor:g} / L"
        log_ax.semilogy(np.maximum(np.abs(xs), 1e-17), label=label)
        signed_ax.plot(xs[:13], "o-", ms=3, label=label)
    log_ax.set(xlabel="step", ylabel="|x|", title="1-D quadratic: 1/L is optimal, > 2/L diverges")
    signed_ax.set(xlabel="step", ylabel="x", title="above 1/L the iterates oscillate")
    log_ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")


# ------------------------------------------------------------------ 3. optimizers compared

PROBLEMS: dict[str, dict[str, Any]] = {
    "quadratic": {
        "loss": quadratic([1.0, 25.0]), "start": (-9.0, 1.6), "minimum": (0.0, 0.0),
        "box": ((-10, 10), (-2.5, 2.5)),
        "optimizers": {
            "SGD": lambda p: optim.SGD(p, lr=0.035),
            "Momentum": lambda p: optim.SGD(p, lr=0.01, momentum=0.8),
            "Nesterov": lambda p: optim.SGD(p, lr=0.01, momentum=0.8, nesterov=True),
            "AdaGrad": lambda p: optim.Adagrad(p, lr=1.5),
            "RMSProp": lambda p: optim.RMSprop(p, lr=0.05),
            "Adam": lambda p: optim.Adam(p, lr=0.3),
        },
    },
    "rosenbrock": {
        "loss": rosenbrock, "start": (-1.5, 2.0), "minimum": (1.0, 1.0),
        "box": ((-2, 2), (-1, 3)),
        "optimizers": {
            "SGD": lambda p: optim.SGD(p, lr=2e-4),
            "Momentum": lambda p: optim.SGD(p, lr=2e-4, momentum=0.9),
            "Nesterov": lambda p: optim.SGD(p, lr=2e-4, momentum=0.9, nesterov=True),
            "AdaGrad": lambda p: optim.Adagrad(p, lr=1.0),
            "RMSProp": lambda p: optim.RMSprop(p, lr=3e-3),
            "Adam": lambda p: optim.Adam(p, lr=0.1),
        },
    },
}


def compare(problem: str, steps: int) -> dict[str, dict[str, Any]]:
    """Each optimizer's path and losses on one of :data:`PROBLEMS`."""
    spec = PROBLEMS[problem]
    results = {}
    for name, make in spec["optimizers"].items():
        path, losses = descend(spec["loss"], spec["start"], make, steps)
        results[name] = {"path": path, "losses": np.array(losses),
                         "distance": float(np.linalg.norm(path[-1] - spec["minimum"]))}
    return results


def plot_comparison(problem: str, results: dict[str, dict[str, Any]], path: Path) -> None:
    spec = PROBLEMS[problem]
    fig = Figure(figsize=(11, 4.2))
    contour_ax, loss_ax = fig.subplots(1, 2)
    (x0, x1), (y0, y1) = spec["box"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    with cr.no_grad():
        grid = np.array([[spec["loss"](cr.tensor([a, b], dtype="float64")).item()
                          for a, b in zip(rx, ry, strict=True)] for rx, ry in zip(gx, gy,
                                                                                   strict=True)])
    contour_ax.contour(gx, gy, np.log1p(grid), levels=25, cmap="Greys", linewidths=0.6)
    for name, run in results.items():
        contour_ax.plot(run["path"][:, 0], run["path"][:, 1], lw=1.2, label=name)
        loss_ax.semilogy(np.maximum(run["losses"], 1e-16), label=name)
    contour_ax.plot(*spec["minimum"], "k*", ms=10)
    contour_ax.set(xlim=(x0, x1), ylim=(y0, y1), title=f"{problem}: trajectories")
    loss_ax.set(xlabel="step", ylabel="loss", title=f"{problem}: loss")
    loss_ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")


# ------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/optimizer_experiments", help="folder for PNGs")
    parser.add_argument("--steps", type=int, default=1000, help="steps per optimizer run")
    parser.add_argument("--ks", type=float, nargs="+", default=[1, 10, 100, 1000],
                        help="condition numbers for experiment 1")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    iterations = condition_number(args.ks)
    plot_condition_number(iterations, out / "condition_number.png")
    print("1. GD iterations to reduce f by 1e-6 (lr = 1/L):")
    for k, n in iterations.items():
        print(f"   k = {k:>7g}: {n:>6d} iterations")

    runs = one_dimensional()
    plot_one_dimensional(runs, out / "one_dimensional.png")
    print("2. 1-D quadratic, |x| after 1 and after 30 steps:")
    for factor, xs in runs.items():
        print(f"   lr = {factor:g}/L: {abs(xs[1]):.3g}, {abs(xs[-1]):.3g}")

    results: dict[str, Any] = {"condition_number": iterations, "one_dimensional": runs}
    for problem in PROBLEMS:
        results[problem] = compare(problem, args.steps)
        plot_comparison(problem, results[problem], out / f"{problem}.png")
        print(f"3. {problem}: final loss and distance to the minimum after {args.steps} steps")
        for name, run in results[problem].items():
            print(f"   {name:9s} loss {run['losses'][-1]:10.3g}  distance {run['distance']:.3g}")
    print(f"plots written to {out}/")
    return results


if __name__ == "__main__":
    main()
