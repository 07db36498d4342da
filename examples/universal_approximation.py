"""Universal approximation: one hidden layer fits sin(x), and the error falls as it widens.

The theorem (Cybenko 1989, Hornik 1991) says a single hidden layer of enough
sigmoidal units approximates any continuous function on a compact set as
closely as we like. Here networks 1 -> width (tanh) -> 1 are fitted to
sin(x) on [-pi, pi] by full-batch Adam on the mean squared error, and the
root-mean-square error is measured on a dense grid: one unit can only make
one S-shaped bump, two can bend it once more, four already trace the sine
to a few thousandths. Past that, the error is limited by the optimiser's step
budget rather than by the width.

Run: ``python examples/universal_approximation.py [--widths 1 2 4 8 16 --plot out.png]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
from _script import example_main

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import function_regression


def fit(width: int, x: np.ndarray, y: np.ndarray, steps: int, lr: float, seed: int
        ) -> nn.Sequential:
    """A 1-width-1 tanh network fitted to (x, y) by full-batch Adam on the MSE."""
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 1))
    opt = optim.Adam(model.parameters(), lr=lr)
    xs, ys = cr.tensor(x), cr.tensor(y)
    for _ in range(steps):
        loss = F.mse_loss(model(xs), ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def run(widths: Sequence[int] = (1, 2, 4, 8, 16), samples: int = 200, steps: int = 3000,
        lr: float = 0.02, seed: int = 0) -> dict[str, Any]:
    """RMS error of each width on a 1000-point grid of [-pi, pi] (and the fitted curves)."""
    data = function_regression(np.sin, n=samples, generator=seed)
    grid = np.linspace(-np.pi, np.pi, 1000, dtype=np.float32)[:, None]
    errors, curves = {}, {}
    for width in widths:
        model = fit(width, data.x, data.y, steps, lr, seed)
        with cr.no_grad():
            pred = model(cr.tensor(grid)).data
        curves[width] = pred[:, 0]
        errors[width] = float(np.sqrt(np.mean((pred[:, 0] - np.sin(grid[:, 0])) ** 2)))
    return {"errors": errors, "grid": grid[:, 0], "curves": curves, "x": data.x[:, 0],
            "y": data.y[:, 0]}


def plot(results: dict[str, Any]) -> Any:
    """The fits over sin(x), and the RMS error against the width (log-log)."""
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 2, size=(5.0, 4.0))
    ax = axes[0][0]
    ax.plot(results["grid"], np.sin(results["grid"]), "k", linewidth=3, alpha=0.3,
            label="sin(x)")
    for width, curve in results["curves"].items():
        ax.plot(results["grid"], curve, label=f"width {width}")
    ax.set(title="one hidden layer of tanh units", xlabel="x")
    ax.legend(fontsize="small")
    ax = axes[0][1]
    widths = list(results["errors"])
    ax.plot(widths, list(results["errors"].values()), "o-")
    ax.set(xscale="log", yscale="log", xlabel="hidden units", ylabel="RMS error",
           title="error falls as the layer widens")
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--widths", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--lr", type=float, default=0.02)


def summary(results: dict[str, Any], args: argparse.Namespace) -> str:
    """What the script prints."""
    return "\n".join(["hidden units   RMS error of the fit to sin(x) on [-pi, pi]"]
                     + [f"{width:>12}   {err:.4f}" for width, err in results["errors"].items()])


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    return example_main(__doc__, _options,
                        lambda a: run(a.widths, a.samples, a.steps, a.lr, a.seed),
                        summary, plot, "the fits and the error curve", argv)


if __name__ == "__main__":
    main()
