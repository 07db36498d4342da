"""Where a CNN training step's time goes, per phase: im2col, GEMMs, col2im, pooling, ReLU, Adam.

Trains the mnist_cnn.py network by hand (batch 64 by default) and wraps the
functions each phase runs in timers: the convolutions' im2col copy, their GEMMs
and col2im, max pooling forward and backward, ReLU forward and backward, the
linear layers, dropout's multiply, the loss, and Adam's step; "other" is the rest
of the step (the engine, the batch gather, the NCHW -> flat copy, bias sums).
The same steps run twice in one process, first on the NumPy references (the
numba kernels switched off: "before"), then with the kernels ("after").
Run: python benchmarks/mnist_cnn_profile.py [--batch 64] [--steps 20]
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections import defaultdict

from mnist_cnn import batches, blas_info, chainrule_model, load_mnist

import chainrule as cr
from chainrule import functional as F
from chainrule import optim
from chainrule.autograd.ops import (
    activation,
    arithmetic,
    conv,
    conv_kernels,
    crossentropy,
    kernels,
    linalg,
    pool,
)

TOTALS: dict[str, float] = defaultdict(float)


def _timed(phase: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TOTALS[phase] += time.perf_counter() - t0
    return wrapper


def instrument() -> None:
    """Wrap each phase's functions; an op's own time excludes the phases nested inside it."""
    conv.columns = _timed("im2col", conv.columns)
    conv.col2im_add = _timed("col2im", conv.col2im_add)
    conv.grouped_matmul = _timed("conv GEMMs", conv.grouped_matmul)
    for cls, phase in ((pool.MaxPool2d, "max-pool"), (activation.ReLU, "ReLU"),
                       (linalg.Linear, "linear (GEMMs)"), (arithmetic.Mul, "dropout"),
                       (crossentropy.SoftmaxCrossEntropy, "loss")):
        cls.forward = _timed(phase, cls.forward)
        cls.backward = _timed(phase, cls.backward)
    for cls in (conv.Conv2d,):  # what the conv op does around its im2col and GEMMs
        cls.forward = _timed("conv (rest)", cls.forward)
        cls.backward = _timed("conv (rest)", cls.backward)


def use_kernels(on: bool) -> None:
    """Switch the elementwise, pooling and col2im kernels on or off (off: NumPy references)."""
    kernels.MIN_SIZE = 2048 if on else 2**62
    conv_kernels.MIN_SIZE = 4096 if on else 2**62


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    x, y, _, _ = load_mnist()
    cr.manual_seed(0)
    model = chainrule_model()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    opt.step = _timed("Adam", opt.step)
    order = batches(len(x), args.batch)

    def run(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            idx = next(order)
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        return time.perf_counter() - t0

    instrument()
    print(f"BLAS: {blas_info()}; load average {os.getloadavg()[0]:.1f}")
    tables = {}
    for label, on in (("before (NumPy)", False), ("after (kernels)", True)):
        use_kernels(on)
        run(3)  # warm-up: kernels compile, workspaces settle
        TOTALS.clear()
        wall = run(args.steps)
        own = dict(TOTALS)
        own["conv (rest)"] -= sum(TOTALS[i] for i in ("im2col", "col2im", "conv GEMMs"))
        own["other"] = wall - sum(own.values())
        tables[label] = (wall, own)
    print(f"batch {args.batch}, ms per step over {args.steps} steps")
    print(f"  {'phase':<16}" + "".join(f"{label:>18}" for label in tables))
    phases = sorted(tables["before (NumPy)"][1], key=lambda k: -tables["before (NumPy)"][1][k])
    for phase in phases + ["total"]:
        cells = [(wall if phase == "total" else own.get(phase, 0.0)) / args.steps * 1e3
                 for wall, own in tables.values()]
        print(f"  {phase:<16}" + "".join(f"{c:>18.1f}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
