"""PyTorch's examples/mnist CNN trained with Adam, side by side: chainrule, PyTorch, the GEMM floor.

The network: conv 1->32 3x3, ReLU, conv 32->64 3x3, ReLU, max-pool 2, dropout 0.25,
flatten, 9216->128, ReLU, dropout 0.5, 128->10; softmax cross-entropy, Adam(lr=1e-3).

Contenders, each in its own process (so that its peak RSS is its own):
  chainrule  chainrule's hand-written PyTorch-style loop
  torch      PyTorch on the CPU (oneDNN convolutions, MKL linear layers)
  floor      the step's matrix multiplies alone (forward, dW, dX of every layer, im2col
             matrices in the (C, N, H, W) layout, prepared once), same shapes: the floor
             of an im2col step; chainrule's 3x3 convolutions run as Winograd's F(2x2, 3x3)
             with 2.25x fewer multiply-adds, so it can run under it

A worker warms up, then times a block of ``--steps`` training steps per request;
the driver interleaves the contenders' blocks (A B C, B C A, ...) so the machine's
drift hits them alike and reports the median milliseconds per step, the ratios,
accuracy on the test set after the run and peak RSS. The machine is shared: read
the ratios, not the absolute times. Run it through ``make bench``, which unsets
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this command.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from mnist_mlp import answer_requests, blas_info

CONTENDERS = ["chainrule", "torch", "floor"]
LR = 1e-3


def load_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as (N, 1, 28, 28) float32, normalised like the PyTorch example."""
    from chainrule.data import MNIST

    def images(d) -> np.ndarray:
        x = np.asarray(d.x, dtype=np.float32).reshape(len(d), 1, 28, 28)
        x = x / 255.0 if x.max() > 1.5 else x
        return np.ascontiguousarray((x - 0.1307) / 0.3081, dtype=np.float32)

    train, test = MNIST("train"), MNIST("test")
    return images(train), train.y.astype(np.int64), images(test), test.y.astype(np.int64)


def batches(n: int, batch: int, seed: int = 0):
    """Endless random mini-batch indices (a fresh permutation per epoch)."""
    rng = np.random.default_rng(seed)
    while True:
        perm = rng.permutation(n)
        for i in range(0, n - batch + 1, batch):
            yield perm[i:i + batch]


def chainrule_model():
    from chainrule import nn

    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128),
                         nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def run_chainrule(data, batch: int):
    import chainrule as cr
    from chainrule import functional as F
    from chainrule import optim

    x, y, xt, yt = data
    cr.manual_seed(0)
    model = chainrule_model()
    opt = optim.Adam(model.parameters(), lr=LR)
    order = batches(len(x), batch)

    def steps(n: int) -> None:
        for _ in range(n):
            idx = next(order)
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()

    def accuracy() -> float:
        model.eval()
        with cr.no_grad():
            pred = np.concatenate([model(xt[i:i + 1000]).data.argmax(1)
                                   for i in range(0, len(xt), 1000)])
        model.train()
        return float((pred == yt).mean())

    return steps, accuracy


def run_torch(data, batch: int):
    import torch

    x, y, xt, yt = (torch.from_numpy(a) for a in data)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128),
                          nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    order = batches(len(x), batch)

    def steps(n: int) -> None:
        for _ in range(n):
            idx = torch.from_numpy(next(order))
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()

    def accuracy() -> float:
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(xt[i:i + 1000]).argmax(1) for i in range(0, len(xt), 1000)])
        model.train()
        return float((pred == yt).float().mean())

    return steps, accuracy


def run_floor(data, batch: int):
    """Only the GEMMs of a step, in the (C, N, H, W) im2col layout: 4.6 GFLOP at batch 64."""
    rng = np.random.default_rng(0)

    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    m1, m2 = batch * 26 * 26, batch * 24 * 24
    cols1, cols2, w1, w2 = r(9, m1), r(288, m2), r(32, 9), r(64, 288)
    g1, g2 = r(32, m1), r(64, m2)
    a3, w3, g3 = r(batch, 9216), r(128, 9216), r(batch, 128)
    a4, w4, g4 = r(batch, 128), r(10, 128), r(batch, 10)

    def steps(n: int) -> None:
        for _ in range(n):
            w1 @ cols1, g1 @ cols1.T                      # conv1: forward, dW
            w2 @ cols2, g2 @ cols2.T, w2.T @ g2           # conv2: forward, dW, dX
            a3 @ w3.T, g3.T @ a3, g3 @ w3                 # fc1
            a4 @ w4.T, g4.T @ a4, g4 @ w4                 # fc2

    return steps, None


RUNNERS = {"chainrule": run_chainrule, "torch": run_torch, "floor": run_floor}


def serve(name: str, batch: int, warmup: int) -> None:
    """Worker side: warm up, then time one block of steps per request ("steps N")."""
    steps, accuracy = RUNNERS[name](load_mnist(), batch)
    steps(warmup)  # JIT, first-touch allocations, BLAS threads: all outside the timing
    answer_requests(lambda words: steps(int(words[1])), accuracy)


class Worker:
    """One contender in its own process."""

    def __init__(self, name: str, batch: int, warmup: int):
        self.name = name
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", name, "--batch",
                                      str(batch), "--warmup", str(warmup)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.per_step: list[float] = []
        self.error = None if self.proc.stdout.readline().strip() == "ready" else "did not start"

    def block(self, steps: int) -> None:
        if self.error is None:
            self.proc.stdin.write(f"steps {steps}\n")
            reply = self.proc.stdout.readline().strip()
            if not reply:
                self.error = f"exited with status {self.proc.wait()}"
                return
            self.per_step.append(float(reply) / steps)

    def finish(self) -> dict:
        if self.error is not None:
            return {"error": self.error}
        self.proc.stdin.write("finish\n")
        result = json.loads(self.proc.stdout.readline())
        self.proc.wait()
        return {"ms_per_step": [t * 1e3 for t in self.per_step],
                "median_ms": statistics.median(self.per_step) * 1e3, **result}


def run_block(names: list[str], batch: int, blocks: int, steps: int, warmup: int,
              pause: float) -> dict:
    workers = [Worker(name, batch, warmup) for name in names]
    for r in range(blocks):
        for w in workers[r % len(workers):] + workers[:r % len(workers)]:
            time.sleep(pause)  # the last contender's idle threads stop spinning first
            w.block(steps)
    return {w.name: w.finish() for w in workers}


def report(batch: int, rows: dict) -> None:
    print(f"\nbatch {batch}: median ms per training step")
    print(f"{'contender':<11}{'ms/step':>9}{'test acc':>10}{'peak RSS MB':>13}")
    for name, res in rows.items():
        if "error" in res:
            print(f"{name:<11} error: {res['error']}")
            continue
        acc = "-" if res["accuracy"] is None else f"{res['accuracy']:.4f}"
        print(f"{name:<11}{res['median_ms']:>9.1f}{acc:>10}{res['peak_rss_mb']:>13.0f}")
    ok = {k: v["median_ms"] for k, v in rows.items() if "median_ms" in v}
    pairs = [("chainrule", "torch"), ("chainrule", "floor"), ("torch", "floor")]
    print("  " + ", ".join(f"{a}/{b} = {ok[a] / ok[b]:.2f}" for a, b in pairs
                           if a in ok and b in ok))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--blocks", type=int, default=7, help="timed blocks per contender")
    parser.add_argument("--steps", type=int, default=20, help="training steps per block")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--contenders", nargs="+", default=CONTENDERS, choices=CONTENDERS)
    parser.add_argument("--pause", type=float, default=0.3,
                        help="seconds between blocks: idle BLAS/OpenMP threads of the "
                             "contender before spin for 0.1-0.2 s after their last product")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.batch[0], args.warmup)
        return 0

    print(f"BLAS: {blas_info()}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    results = {}
    for batch in args.batch:
        print(f"  batch {batch}: {', '.join(args.contenders)} ...", flush=True)
        results[batch] = run_block(args.contenders, batch, args.blocks, args.steps, args.warmup,
                                   args.pause)
        report(batch, results[batch])
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"blas": blas_info(), "results": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
