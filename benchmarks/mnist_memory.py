"""Memory of MNIST training: RSS after every epoch (no growth) and peak against what is needed.

Trains the 784-512-512-10 ReLU MLP with Adam at batch 128 for `--epochs` epochs by hand
and compares the peak resident set above the import baseline with the sum of the training
data, parameters, gradients, Adam's two moments and one batch's activations.
Run: python benchmarks/mnist_memory.py [--epochs 10]
"""

from __future__ import annotations

import argparse
import resource

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import MNIST, DataLoader


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args(argv)
    baseline = rss_mb()
    train = MNIST("train")
    x, y = train.x.reshape(len(train), -1), train.y
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader((x, y), batch_size=args.batch, shuffle=True, seed=0)
    params = sum(p.data.nbytes for p in model.parameters()) / 2**20
    activations = args.batch * (784 + 4 * 512 + 3 * 10) * 4 / 2**20
    needed = (x.nbytes + y.nbytes) / 2**20 + 4 * params + activations  # params, grads, m, v
    after_epoch = []
    for _ in range(args.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        after_epoch.append(round(rss_mb()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import baseline {baseline:.0f} MB; needed {needed:.0f} MB (data, parameters, "
          f"gradients, Adam moments, one batch's activations)")
    print(f"RSS after each epoch (MB): {after_epoch}")
    print(f"peak {peak:.0f} MB; above the baseline {peak - baseline:.0f} MB = "
          f"{(peak - baseline) / needed:.2f}x what is needed; growth over "
          f"{args.epochs} epochs: {after_epoch[-1] - after_epoch[0]} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
