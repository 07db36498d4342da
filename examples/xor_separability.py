"""XOR is not linearly separable: a perceptron and a linear model fail, a 2-layer net succeeds.

The four corners of the unit square labelled a XOR b (plus Gaussian noise)
cannot be split by one line: any linear classifier gets at most 3 of the 4
corners right (75%). The perceptron rule never stops making mistakes on them,
softmax regression trained by backprop settles near 50-75%, and one hidden
layer of tanh units, which bends the boundary, classifies almost every point.

Run: ``python examples/xor_separability.py [--samples 400 --hidden 8 --plot out.png]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
from _script import example_main
from perceptron_vs_backprop import perceptron  # a sibling example

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import xor


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, steps: int, lr: float) -> float:
    """Full-batch Adam on the cross-entropy; returns the training accuracy."""
    opt = optim.Adam(model.parameters(), lr=lr)
    xs = cr.tensor(x)
    for _ in range(steps):
        loss = F.cross_entropy(model(xs), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with cr.no_grad():
        return float(np.mean(model(xs).data.argmax(axis=1) == y))


def run(samples: int = 400, noise: float = 0.1, hidden: int = 8, steps: int = 500,
        epochs: int = 50, seed: int = 0) -> dict[str, Any]:
    """Accuracy on the XOR data of the perceptron rule, a linear model and a 2-layer net."""
    data = xor(samples, noise=noise, generator=seed)
    x, y = data.x, data.y
    # the perceptron on centred inputs (its bias alone cannot centre them)
    xc = x - x.mean(axis=0)
    _, _, mistakes, accs = perceptron(xc, np.where(y == 1, 1.0, -1.0), epochs)
    cr.manual_seed(seed)
    linear = nn.Linear(2, 2)
    cr.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))
    return {"x": x, "y": y, "perceptron": accs[-1],
            "perceptron_mistakes_last_epoch": mistakes[-1],
            "linear": train(linear, x, y, steps, lr=0.05), "mlp": train(net, x, y, steps, lr=0.05),
            "linear_model": linear, "mlp_model": net}


def plot(results: dict[str, Any]) -> Any:
    """Decision regions of the linear model and the 2-layer net over the data."""
    from chainrule.viz.style import new_figure

    x, y = results["x"], results["y"]
    g = np.linspace(x.min() - 0.3, x.max() + 0.3, 150)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2).astype(np.float32)
    fig, axes = new_figure(1, 2, size=(4.5, 4.0))
    for ax, key in zip(axes[0], ("linear", "mlp"), strict=True):
        with cr.no_grad():
            region = results[f"{key}_model"](cr.tensor(grid)).data.argmax(axis=1)
        ax.contourf(g, g, region.reshape(len(g), len(g)), levels=[-0.5, 0.5, 1.5], alpha=0.3,
                    cmap="coolwarm")
        ax.scatter(x[:, 0], x[:, 1], c=y, s=8, cmap="coolwarm")
        ax.set(title=f"{key}: {results[key]:.0%} correct")
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--steps", type=int, default=500, help="Adam steps (full batch)")


def summary(results: dict[str, Any], args: argparse.Namespace) -> str:
    """What the script prints."""
    return (f"XOR, {args.samples} noisy points: training accuracy\n"
            f"  perceptron rule        {results['perceptron']:.1%} "
            f"({results['perceptron_mistakes_last_epoch']} mistakes in its last epoch)\n"
            f"  linear model, backprop {results['linear']:.1%}\n"
            f"  2-layer tanh net       {results['mlp']:.1%}")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    return example_main(__doc__, _options,
                        lambda a: run(a.samples, a.noise, a.hidden, a.steps, seed=a.seed),
                        summary, plot, "the decision regions", argv)


if __name__ == "__main__":
    main()
