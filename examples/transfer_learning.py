"""Transfer learning (deck 001): what a CNN learnt on digits 0-4 helps it learn 5-9 from 100 each.

1. Pretrain a small CNN on MNIST digits 0-4 (the rich source task).
2. Learn digits 5-9 from only ``--per-class`` labelled samples each, three ways:
   (a) from scratch: the same network, freshly initialised, trained on the few samples;
   (b) fine-tuning: the pretrained network with fresh linear layers, its convolutions
       frozen (``model.freeze(upto=...)``), only the last layers trained;
   (c) feature extraction: the pretrained convolutions' pooled activations
       (``chainrule.transfer.features``) fed to scikit-learn's LogisticRegression and an SVM.
3. Print the accuracy of each on the test images of digits 5-9.

The low-level features a network learns on one set of digits (strokes, curves,
corners) serve another, so (b) and (c) beat (a) by a wide margin when labels are scarce.

Run: ``CHAINRULE_DATA=... python examples/transfer_learning.py [--per-class 100]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import MNIST, ArrayDataset, DataLoader
from chainrule.transfer import features

# The pooled output of the convolutions: general features (strokes, curves), where the
# first linear layer's activations are already specialised to digits 0-4.
FEATURE_LAYER = "5"
FROZEN_UPTO = "5"  # freeze the convolutions; retrain the two linear layers


def cnn(width: int, classes: int = 5) -> nn.Sequential:
    """conv(1->w) ReLU pool, conv(w->2w) ReLU pool, flatten, linear 128, ReLU, linear head."""
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * 49, 128), nn.ReLU(), nn.Linear(128, classes))


def digits(split: str, wanted: range, limit: int | None, per_class: int | None,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images (N, 1, 28, 28) of the ``wanted`` digits, labels shifted to 0..4."""
    data = MNIST(split)
    x, y = np.asarray(data.x, dtype=np.float32), np.asarray(data.y)
    keep = np.flatnonzero(np.isin(y, list(wanted)))
    if per_class is not None:
        keep = np.concatenate([rng.choice(keep[y[keep] == d], per_class, replace=False)
                               for d in wanted])
    keep = rng.permutation(keep)[:limit]
    images = ((x[keep] - 0.1307) / 0.3081).reshape(-1, 1, 28, 28).astype(np.float32)
    return images, (y[keep] - wanted[0]).astype(np.int64)


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int, seed: int,
          lr: float = 1e-3) -> None:
    """Adam on the trainable parameters, mini-batches of 32."""
    opt = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(ArrayDataset(x, y), batch_size=32, shuffle=True, seed=seed)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with cr.no_grad():
        pred = np.concatenate([model(x[i:i + 500]).data.argmax(1) for i in range(0, len(x), 500)])
    return float((pred == y).mean())


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--source-samples", type=int, default=15000)
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=15, help="epochs on the few samples")
    parser.add_argument("--width", type=int, default=16, help="channels of the first conv")
    parser.add_argument("--test-samples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    rng = np.random.default_rng(args.seed)
    x_src, y_src = digits("train", range(0, 5), args.source_samples, None, rng)
    x_few, y_few = digits("train", range(5, 10), None, args.per_class, rng)
    x_test, y_test = digits("test", range(5, 10), args.test_samples, None, rng)

    cr.manual_seed(args.seed)
    pretrained = cnn(args.width)
    train(pretrained, x_src, y_src, args.pretrain_epochs, args.seed)
    results = {"source (digits 0-4)": accuracy(pretrained, *digits(
        "test", range(0, 5), args.test_samples, None, rng))}

    scratch = cnn(args.width)  # (a)
    train(scratch, x_few, y_few, args.epochs, args.seed)
    results["(a) from scratch"] = accuracy(scratch, x_test, y_test)

    tuned = cnn(args.width)  # (b): pretrained convolutions, frozen; fresh linear layers
    tuned.load_state_dict({k: v for k, v in pretrained.state_dict().items()
                           if not k.startswith(("7.", "9."))}, strict=False)
    tuned.freeze(upto=FROZEN_UPTO)
    train(tuned, x_few, y_few, args.epochs, args.seed)
    results["(b) fine-tuned last layers"] = accuracy(tuned, x_test, y_test)

    f_few = features(pretrained, x_few, FEATURE_LAYER)  # (c)
    f_test = features(pretrained, x_test, FEATURE_LAYER)
    for name, clf in (("logistic regression", LogisticRegression(max_iter=2000)),
                      ("SVM", SVC(kernel="rbf", C=10.0))):
        clf.fit(f_few, y_few)
        results[f"(c) {name} on features"] = float(clf.score(f_test, y_test))

    print(f"digits 5-9 from {args.per_class} labelled samples each "
          f"(test accuracy on {len(y_test)} images):")
    for name, value in results.items():
        print(f"  {name:<36}{value:.4f}")
    return results


if __name__ == "__main__":
    main()
