"""Perceptron learning rule against backprop, on separable and non-separable data (deck 001).

The perceptron rule changes the weights only on a mistake,

    w <- w + eta * t_n * x_n,   b <- b + eta * t_n   (t_n in {-1, +1}),

and, by the perceptron convergence theorem, stops with zero errors whenever
the data are linearly separable. Backprop on one tanh unit with the squared
error 1/2 (tanh(w.x + b) - t)^2 and bounded weights (a little weight decay)
"prefers consistency over perfection": on two separable clusters plus one
far-away "spoiler" point of the positive class, it leaves the spoiler on the
wrong side, because tilting the line for one point costs more squared error
on all the others than it gains. On overlapping (non-separable) clusters the
perceptron never settles: its error count keeps jumping from epoch to epoch,
while backprop converges to a stable least-squares boundary.

Run: ``python examples/perceptron_vs_backprop.py [--plot out.png]``.
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


def perceptron(x: np.ndarray, t: np.ndarray, epochs: int = 100, lr: float = 1.0
               ) -> tuple[np.ndarray, float, list[int], list[float]]:
    """Train with the perceptron rule; returns ``(w, b, mistakes per epoch, accuracy after
    each epoch)``, stopping after the first epoch without a mistake."""
    w, b = np.zeros(x.shape[1]), 0.0
    mistakes: list[int] = []
    accuracy: list[float] = []
    for _ in range(epochs):
        wrong = 0
        for xi, ti in zip(x, t, strict=True):  # online: one sample at a time, in order
            if ti * (xi @ w + b) <= 0:
                w += lr * ti * xi
                b += lr * ti
                wrong += 1
        mistakes.append(wrong)
        accuracy.append(float(np.mean(np.where(x @ w + b > 0, 1, -1) == t)))
        if wrong == 0:
            break
    return w, b, mistakes, accuracy


def backprop(x: np.ndarray, t: np.ndarray, steps: int = 2000, lr: float = 0.1,
             weight_decay: float = 1e-3, seed: int = 0) -> tuple[np.ndarray, float, list[float]]:
    """One tanh unit trained by full-batch gradient descent on the squared error with weight
    decay; returns ``(w, b, loss per step)``."""
    cr.manual_seed(seed)
    unit = nn.Linear(x.shape[1], 1)
    opt = optim.SGD(unit.parameters(), lr=lr, weight_decay=weight_decay)
    xs, ts = cr.tensor(x), cr.tensor(t[:, None])
    losses = []
    for _ in range(steps):
        loss = 0.5 * ((F.tanh(unit(xs)) - ts) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return unit.weight.data[0].astype(np.float64), float(unit.bias.data[0]), losses


def separable_with_spoiler(n: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two boxes, negatives in [-1.5, -0.5] x [-0.5, 0.5] and positives in [0.5, 1.5] x
    [-0.5, 0.5], plus a positive spoiler at (-1.5, 3). The line x2 + 2 x1 + 0.5 = 0 separates
    them all, so the set is linearly separable."""
    rng = np.random.default_rng(seed)
    neg = np.stack([rng.uniform(-1.5, -0.5, n), rng.uniform(-0.5, 0.5, n)], axis=1)
    pos = np.stack([rng.uniform(0.5, 1.5, n), rng.uniform(-0.5, 0.5, n)], axis=1)
    x = np.concatenate([neg, pos, [[-1.5, 3.0]]]).astype(np.float32)
    t = np.concatenate([-np.ones(n), np.ones(n + 1)]).astype(np.float32)
    order = rng.permutation(len(x))
    return x[order], t[order]


def overlapping(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters (means (-0.5, 0) and (0.5, 0), std 0.5): not separable; the best
    boundary, x1 = 0, classifies Phi(1) = 84% right."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal([-0.5, 0.0], 0.5, (n, 2)),
                        rng.normal([0.5, 0.0], 0.5, (n, 2))]).astype(np.float32)
    t = np.concatenate([-np.ones(n), np.ones(n)]).astype(np.float32)
    order = rng.permutation(len(x))
    return x[order], t[order]


def accuracy(x: np.ndarray, t: np.ndarray, w: np.ndarray, b: float) -> float:
    return float(np.mean(np.where(x @ w + b > 0, 1, -1) == t))


def run(epochs: int = 100, steps: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Both rules on both datasets; returns the measured figures per dataset."""
    results: dict[str, Any] = {}
    for name, (x, t) in (("separable", separable_with_spoiler(seed=seed)),
                         ("non-separable", overlapping(seed=seed))):
        w, b, mistakes, accs = perceptron(x, t, epochs)
        bw, bb, losses = backprop(x, t, steps, seed=seed)
        tail = accs[-20:]
        results[name] = {
            "x": x, "t": t, "perceptron_w": (w, b), "backprop_w": (bw, bb),
            "perceptron_mistakes": mistakes, "perceptron_epochs": len(mistakes),
            "perceptron_accuracy": accs[-1], "perceptron_accuracy_late_mean": float(np.mean(tail)),
            "perceptron_accuracy_late_std": float(np.std(tail)),
            "backprop_accuracy": accuracy(x, t, bw, bb), "backprop_losses": losses,
            "backprop_loss_change_late": losses[-len(losses) // 10] - losses[-1]}
    spoiler = int(np.argmax(results["separable"]["x"][:, 1]))
    sep = results["separable"]
    sep["spoiler_right_perceptron"] = bool(np.sign(sep["x"][spoiler] @ sep["perceptron_w"][0]
                                                   + sep["perceptron_w"][1]) > 0)
    sep["spoiler_right_backprop"] = bool(np.sign(sep["x"][spoiler] @ sep["backprop_w"][0]
                                                 + sep["backprop_w"][1]) > 0)
    return results


def plot(results: dict[str, Any]) -> Any:
    """Data and both boundaries per dataset, and the perceptron's mistakes per epoch."""
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 3, size=(4.5, 4.0))
    for ax, name in zip(axes[0][:2], ("separable", "non-separable"), strict=True):
        r = results[name]
        x, t = r["x"], r["t"]
        ax.scatter(x[t > 0, 0], x[t > 0, 1], marker="+", label="+1")
        ax.scatter(x[t < 0, 0], x[t < 0, 1], marker="_", label="-1")
        xs = np.linspace(x[:, 0].min(), x[:, 0].max(), 2)
        for key, style in (("perceptron_w", "b-"), ("backprop_w", "r--")):
            w, b = r[key]
            if abs(w[1]) > 1e-9:
                ax.plot(xs, -(w[0] * xs + b) / w[1], style, label=key.split("_")[0])
            else:
                ax.axvline(-b / w[0], color=style[0], linestyle=style[1:])
        ax.set(title=f"{name}: perceptron {r['perceptron_accuracy']:.0%}, "
               f"backprop {r['backprop_accuracy']:.0%}", ylim=(x[:, 1].min() - 0.5,
                                                                x[:, 1].max() + 0.5))
        ax.legend(fontsize="small")
    ax = axes[0][2]
    for name in ("separable", "non-separable"):
        ax.plot(results[name]["perceptron_mistakes"], label=name)
    ax.set(title="perceptron mistakes per epoch", xlabel="epoch")
    ax.legend()
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=int, default=100, help="perceptron epochs")
    parser.add_argument("--steps", type=int, default=2000, help="backprop steps")


def summary(results: dict[str, Any], args: argparse.Namespace) -> str:
    """What the script prints."""
    lines = [f"{name:>14}: perceptron {r['perceptron_accuracy']:.1%} after "
             f"{r['perceptron_epochs']} epochs (last mistakes {r['perceptron_mistakes'][-1]}), "
             f"backprop {r['backprop_accuracy']:.1%}" for name, r in results.items()]
    sep = results["separable"]
    lines.append(f"spoiler classified right: perceptron {sep['spoiler_right_perceptron']}, "
                 f"backprop {sep['spoiler_right_backprop']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    return example_main(__doc__, _options,
                        lambda a: run(a.epochs, a.steps, a.seed),
                        summary, plot, "the figure", argv)


if __name__ == "__main__":
    main()
