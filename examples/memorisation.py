"""A network memorises random labels (Zhang et al. 2017, "Understanding deep learning requires
rethinking generalization"; decks 000 and 003).

The same MLP is trained on digits twice: once with the true labels and once
with labels drawn uniformly at random. With enough parameters it reaches 100%
training accuracy on both; on held-out digits the true-label model
generalises while the random-label one stays at chance (1 in 10). Fitting the
training set says nothing about generalisation; the random labels only take
longer to fit. The train/val gap check of ``chainrule.diagnose`` flags the
random-label run as overfitting.

Run: ``python examples/memorisation.py [--samples 500 --width 512 --plot out.png]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
from _script import example_main

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import ArrayDataset, load_digits, random_labels, train_val_split
from chainrule.diagnose import check_generalisation
from chainrule.train import Trainer


def fit(train: ArrayDataset, test: ArrayDataset, width: int, epochs: int, seed: int
        ) -> tuple[Any, float]:
    """Train a 64-width-width-10 ReLU MLP; returns its History and test accuracy."""
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(train.x.shape[1], width), nn.ReLU(),
                          nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10))
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=3e-3), "cross_entropy",
                      metrics=["accuracy"])
    history = trainer.fit(train, val=test, epochs=epochs, batch_size=64, seed=seed,
                          verbose=False)
    return history, history["val_accuracy"][-1]


def run(samples: int = 500, width: int = 512, epochs: int = 60, seed: int = 0
        ) -> dict[str, Any]:
    """Train and test accuracy with true and with random labels, epochs to fit each, and the
    diagnose verdict on the random-label curves."""
    digits = load_digits(flatten=True)
    x = (digits.x - digits.x.mean(axis=0)) / (digits.x.std(axis=0) + 1e-6)
    pool, test = train_val_split(ArrayDataset(x, digits.y), 0.3, seed=seed)
    true = ArrayDataset(pool.x[:samples], pool.y[:samples])
    shuffled = random_labels(true, num_classes=10, generator=seed)
    results: dict[str, Any] = {}
    for name, train in (("true", true), ("random", shuffled)):
        history, test_acc = fit(train, test, width, epochs, seed)
        acc = history["accuracy"]
        results[name] = {"train_accuracy": acc[-1], "test_accuracy": test_acc,
                         "epochs_to_fit": next((i + 1 for i, a in enumerate(acc) if a >= 1.0),
                                               None),
                         "accuracy": acc, "val_accuracy": history["val_accuracy"]}
        results[name]["gap_check"] = check_generalisation(history)
    results["chance"] = 1 / 10
    return results


def plot(results: dict[str, Any]) -> Any:
    """Training and test accuracy per epoch, true against random labels."""
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 1, size=(6.0, 4.0))
    ax = axes[0][0]
    for name, colour in (("true", "tab:blue"), ("random", "tab:red")):
        r = results[name]
        epochs = np.arange(1, len(r["accuracy"]) + 1)
        ax.plot(epochs, r["accuracy"], color=colour, label=f"{name} labels: train")
        ax.plot(epochs, r["val_accuracy"], color=colour, linestyle="--",
                label=f"{name} labels: test")
    ax.axhline(results["chance"], color="k", linestyle=":", label="chance")
    ax.set(xlabel="epoch", ylabel="accuracy", title="memorising random labels", ylim=(0, 1.02))
    ax.legend(fontsize="small")
    return fig


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=60)


def summary(results: dict[str, Any], args: argparse.Namespace) -> str:
    """What the script prints."""
    return "\n".join(
        f"{name:>6} labels: train {r['train_accuracy']:.1%} (100% after "
        f"{r['epochs_to_fit']} epochs), test {r['test_accuracy']:.1%}; "
        f"train/val gap check: {r['gap_check'].verdict}"
        for name, r in ((n, results[n]) for n in ("true", "random")))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    return example_main(__doc__, _options,
                        lambda a: run(a.samples, a.width, a.epochs, a.seed),
                        summary, plot, "the accuracy curves", argv)


if __name__ == "__main__":
    main()
