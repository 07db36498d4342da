"""Vanishing gradients: sigmoid against ReLU, gradient size layer by layer (decks 000, 003).

Backprop multiplies the gradient by W^T and by the activation's derivative at
every layer on its way to the input. The sigmoid's derivative is at most 1/4
(sigma' = sigma (1 - sigma)), so even with Glorot (xavier) weights the signal
shrinks about four-fold per layer and the first layers of a deep sigmoid net
barely learn. The ReLU's derivative is 1 on its active half, and with kaiming
weights (variance 2 / fan_in) the gradient keeps its size through the depth.

The gradients are measured with ``chainrule.diagnose.statistics.collect`` on a
batch of unit-Gaussian inputs with random labels: the RMS gradient of each
weight matrix and the std of the backward signal dL/dh at each layer.

Run: ``python examples/vanishing_gradients.py [--depth 10 --width 100 --plot out.png]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
from _script import example_main

import chainrule as cr
from chainrule import functional as F
from chainrule import nn
from chainrule.diagnose.statistics import collect

ACTIVATIONS = {"sigmoid": (nn.Sigmoid, nn.init.xavier_normal_),
               "relu": (nn.ReLU, nn.init.kaiming_normal_),
               "tanh": (nn.Tanh, nn.init.xavier_normal_)}


def build(activation: str, depth: int, width: int, inputs: int, classes: int,
          seed: int) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units, each with the activation's usual init."""
    cls, init = ACTIVATIONS[activation]
    cr.manual_seed(seed)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(inputs if i == 0 else width, width), cls()]
    model = nn.Sequential(*layers, nn.Linear(width, classes))
    for m in model:
        if isinstance(m, nn.Linear):
            init(m.weight)
            nn.init.zeros_(m.bias)
    return model


def run(activations: Sequence[str] = ("sigmoid", "relu"), depth: int = 10, width: int = 100,
        batch: int = 256, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Per activation: the RMS gradient of each weight matrix (input side first), the
    backward-signal std at each hidden layer, and their first/last ratios."""
    rng = np.random.default_rng(seed)
    x = cr.tensor(rng.standard_normal((batch, width)))
    y = cr.tensor(rng.integers(0, 10, batch))
    results = {}
    for name in activations:
        model = build(name, depth, width, width, 10, seed)
        stats = collect(model, x, y, F.cross_entropy)
        weights = [p for p in stats.parameters if len(p.shape) == 2]
        grad_rms = [p.grad_norm / np.sqrt(np.prod(p.shape)) for p in weights]
        signal = [a.grad_std for a in stats.activations if a.kind == name]
        results[name] = {"grad_rms": grad_rms, "signal": signal,
                         "weight_ratio": grad_rms[0] / grad_rms[-1],
                         "signal_ratio": signal[0] / signal[-1]}
    return results


def plot(results: dict[str, dict[str, Any]]) -> Any:
    """RMS weight gradient and backward-signal std against depth, log scale."""
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 2, size=(5.0, 4.0))
    for name, r in results.items():
        axes[0][0].plot(range(1, len(r["grad_rms"]) + 1), r["grad_rms"], "o-", label=name)
        axes[0][1].plot(range(1, len(r["signal"]) + 1), r["signal"], "o-", label=name)
    axes[0][0].set(yscale="log", xlabel="weight matrix (1 = input side)",
                   title="RMS gradient of each weight matrix")
    axes[0][1].set(yscale="log", xlabel="hidden layer", title="backward signal std dL/dh")
    for ax in axes[0]:
        ax.legend()
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--activations", nargs="+", default=["sigmoid", "relu"],
                        choices=list(ACTIVATIONS))


def summary(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """What the script prints."""
    lines = [f"{args.depth} hidden layers of {args.width} units: RMS weight gradient per "
             "layer (input side first)"]
    for name, r in results.items():
        profile = " ".join(f"{g:.1e}" for g in r["grad_rms"])
        lines += [f"{name:>8}: {profile}",
                  f"{'':>8}  first/last: weights {r['weight_ratio']:.1e}, "
                  f"backward signal {r['signal_ratio']:.1e}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    return example_main(__doc__, _options,
                        lambda a: run(a.activations, a.depth, a.width, a.batch, a.seed),
                        summary, plot, "the gradient profiles", argv)


if __name__ == "__main__":
    main()
