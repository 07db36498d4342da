"""Where a training step's time goes: per-phase times and cProfile's top entries.

Trains the benchmark's 784-W-W-10 ReLU MLP on MNIST with Adam by hand (the
`chainrule_loop` contender of mnist_mlp.py), times each phase of every step
(loader, zero_grad, forward, loss, backward, optimizer step) over one epoch
after a warm-up epoch, then profiles one more epoch with cProfile.
Run: python benchmarks/profile_step.py [--batch 128] [--width 512] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import numpy as np
from mnist_mlp import _chainrule_model, blas_info, load_mnist

from chainrule import functional as F
from chainrule.data import ArrayDataset, DataLoader

PHASES = ("loader", "zero_grad", "forward", "loss", "backward", "step")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    x, y, _, _ = load_mnist()
    model, opt = _chainrule_model(args.width)
    loader = DataLoader(ArrayDataset(x, y), batch_size=args.batch, shuffle=True, seed=0)

    def epoch(totals: np.ndarray | None = None) -> None:
        t = time.perf_counter()
        for xb, yb in loader:
            marks = [t, time.perf_counter()]
            opt.zero_grad()
            marks.append(time.perf_counter())
            out = model(xb)
            marks.append(time.perf_counter())
            loss = F.cross_entropy(out, yb)
            marks.append(time.perf_counter())
            loss.backward()
            marks.append(time.perf_counter())
            opt.step()
            t = time.perf_counter()
            marks.append(t)
            if totals is not None:
                totals += np.diff(marks)

    epoch()  # warm-up: kernels compile, buffers settle
    totals = np.zeros(len(PHASES))
    t0 = time.perf_counter()
    epoch(totals)
    wall = time.perf_counter() - t0
    steps = len(loader)
    print(f"BLAS: {blas_info()}")
    print(f"batch {args.batch}, width {args.width}: {steps} steps, {wall:.3f} s, "
          f"{wall / steps * 1e3:.3f} ms per step")
    for name, total in zip(PHASES, totals, strict=True):
        print(f"  {name:<10}{total / steps * 1e3:8.3f} ms  {total / wall:6.1%}")

    profiler = cProfile.Profile()
    profiler.enable()
    epoch()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.top)
    print(f"\ncProfile of one epoch (per-call overhead inflates the Python side):\n"
          f"{text.getvalue().split('Ordered by: internal time')[-1].strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
