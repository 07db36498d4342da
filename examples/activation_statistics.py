"""The decks' activation-statistics experiment: how initialisation shapes a deep tanh net.

A 10-layer tanh network (500 units per layer) is fed unit-Gaussian data and
the standard deviation of every layer's output is printed for each init:

- small:  W = 0.01 * randn      -> activations shrink to zero layer by layer
- large:  W = 1.0 * randn       -> almost every unit saturates at +-1
- xavier: W = randn / sqrt(fan_in) (the decks' "Xavier") -> stays healthy
- and the other schemes of ``chainrule.nn.init`` for comparison.

Run: ``python examples/activation_statistics.py [--layers 10 --units 500 --batch 1000]
[--plot out.png]``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _script import example_main

import chainrule as cr
from chainrule import nn
from chainrule.nn import init

SATURATED = 0.99  # |tanh| above this counts as saturated

SCHEMES: dict[str, Callable[[nn.Linear, np.random.Generator], object]] = {
    "small": lambda layer, g: init.small_normal_(layer.weight, 0.01, generator=g),
    "large": lambda layer, g: init.normal_(layer.weight, 0.0, 1.0, generator=g),
    "xavier": lambda layer, g: init.xavier_fan_in_normal_(layer.weight, generator=g),
    "glorot_uniform": lambda layer, g: init.xavier_uniform_(layer.weight, generator=g),
    "kaiming_tanh": lambda layer, g: init.kaiming_normal_(layer.weight, nonlinearity="tanh",
                                                          generator=g),
    "orthogonal": lambda layer, g: init.orthogonal_(layer.weight, generator=g),
    "sparse": lambda layer, g: init.sparse_(layer.weight, k=15, std=1 / math.sqrt(15),
                                            generator=g),
}
DEFAULT_SCHEMES = (*SCHEMES, "lsuv")


def build(layers: int, units: int) -> nn.Sequential:
    """``layers`` blocks of Linear(units, units, bias=False) followed by Tanh."""
    blocks: list[nn.Module] = []
    for _ in range(layers):
        blocks += [nn.Linear(units, units, bias=False), nn.Tanh()]
    return nn.Sequential(*blocks)


def layer_statistics(model: nn.Sequential, x: cr.Tensor) -> list[dict[str, float]]:
    """Mean, std and saturated fraction of each Tanh output, collected by forward hooks."""
    stats: list[dict[str, float]] = []

    def record(module: nn.Module, inputs: tuple, out: cr.Tensor) -> None:
        h = out.data
        stats.append({"mean": float(h.mean()), "std": float(h.std()),
                      "saturated": float((np.abs(h) > SATURATED).mean())})

    handles = [m.register_forward_hook(record) for m in model if isinstance(m, nn.Tanh)]
    with cr.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return stats


def run(schemes: Sequence[str], layers: int, units: int, batch: int,
        seed: int) -> dict[str, list[dict[str, float]]]:
    """Initialise the same network with each scheme and collect per-layer statistics."""
    rng = np.random.default_rng(seed)
    x = cr.tensor(rng.standard_normal((batch, units)))
    results = {}
    for name in schemes:
        model = build(layers, units)
        g = np.random.default_rng(seed + 1)
        if name == "lsuv":
            init.lsuv_(model, x, generator=g)
        else:
            for layer in model:
                if isinstance(layer, nn.Linear):
                    SCHEMES[name](layer, g)
        results[name] = layer_statistics(model, x)
    return results


def report(results: dict[str, list[dict[str, float]]]) -> str:
    """A table: one row per layer, the output std (and % saturated) under each scheme."""
    names = list(results)
    lines = ["layer " + "".join(f"{n:>22}" for n in names)]
    for i in range(len(next(iter(results.values())))):
        cells = "".join(f"{results[n][i]['std']:>15.3g} ({100 * results[n][i]['saturated']:>3.0f}%)"
                        for n in names)
        lines.append(f"{i + 1:>5} " + cells)
    return "\n".join(lines)


def plot(results: dict[str, list[dict[str, float]]]) -> Any:
    """Per scheme: the output std of every layer (log scale) and its saturated fraction."""
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 2, size=(5.0, 4.0))
    for name, stats in results.items():
        layers = range(1, len(stats) + 1)
        axes[0][0].plot(layers, [max(s["std"], 1e-30) for s in stats], "o-", label=name)
        axes[0][1].plot(layers, [s["saturated"] for s in stats], "o-", label=name)
    axes[0][0].set(yscale="log", xlabel="layer", title="output std per layer")
    axes[0][1].set(xlabel="layer", title=f"fraction with |tanh| > {SATURATED}", ylim=(-0.02, 1.02))
    axes[0][0].legend(fontsize="small")
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--schemes", nargs="+", default=list(DEFAULT_SCHEMES),
                        choices=list(DEFAULT_SCHEMES))


def summary(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> str:
    """What the script prints."""
    return (f"{args.layers}-layer tanh net, {args.units} units, {args.batch} unit-Gaussian "
            f"inputs: output std per layer (and % of units with |tanh| > {SATURATED})\n"
            + report(results))


def main(argv: Sequence[str] | None = None) -> dict[str, list[dict[str, float]]]:
    return example_main(__doc__, _options,
                        lambda a: run(a.schemes, a.layers, a.units, a.batch, a.seed),
                        summary, plot, "the per-layer std and saturation", argv)


if __name__ == "__main__":
    main()
