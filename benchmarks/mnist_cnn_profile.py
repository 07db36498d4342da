"""Where a CNN training step's time goes, per phase: im2col or Winograd's transforms, GEMMs,
col2im, pooling, ReLU, Adam.

Trains the mnist_cnn.py network by hand (batch 64 by default) and wraps the
functions each phase runs in timers: the convolutions' im2col copy, their GEMMs
and col2im, max pooling forward and backward, ReLU forward and backward, the
linear layers, dropout's multiply, the loss, and Adam's step; "conv (rest)" is
what the conv ops do around those (bias, the pooling inside a fused op), "other"
the rest of the step (the engine, the batch gather, the NCHW -> flat copy).
The same steps run five times in one process, each step of the way to today's
step: the chain of ops (no fusion) on the NumPy references (the numba kernels off)
on one thread; the same with the kernels; Conv2d, ReLU[, MaxPool2d] fused; the 3x3
convolutions as Winograd's F(2x2, 3x3) (autograd/ops/winograd.py; its tile
transforms are a phase of their own, its 16 products per block count as conv
GEMMs); and finally on the ops' own threads (autograd/ops/parallel.py). On two threads the
phases are thread-seconds (both threads' time adds up), so only the total (wall
time) is comparable with the other columns there.
Run: python benchmarks/mnist_cnn_profile.py [--batch 64] [--steps 20]
"""

from __future__ import annotations

import argparse
import functools
import os
import threading
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
    conv_fused,
    conv_kernels,
    crossentropy,
    kernels,
    linalg,
    parallel,
    pool,
    winograd,
)
from chainrule.nn import fusion

FUSED_RUN, WIDTH, MIN_CHANNELS = fusion.fused_run, parallel.width, winograd.MIN_CHANNELS

TOTALS: dict[str, float] = defaultdict(float)
LOCK = threading.Lock()
NESTED = ("im2col", "col2im", "conv GEMMs", "fused ReLU", "fused unpool", "Winograd blocks")


def _timed(phase: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            with LOCK:  # the ops' threads time their pieces too
                TOTALS[phase] += time.perf_counter() - t0
    return wrapper


def instrument() -> None:
    """Wrap each phase's functions; an op's own time excludes the phases nested inside it."""
    conv.columns = _timed("im2col", conv.columns)
    conv.col2im_add = _timed("col2im", conv.col2im_add)
    conv.grouped_matmul = _timed("conv GEMMs", conv.grouped_matmul)
    for name in ("forward_block", "backward_block"):  # transforms + products
        setattr(winograd, name, _timed("Winograd blocks", getattr(winograd, name)))
    for name in ("input_tiles", "output_tiles", "output_gradient_tiles",
                 "input_gradient_tiles"):
        setattr(winograd, name, _timed("Winograd transforms", getattr(winograd, name)))
    conv_fused._relu = _timed("fused ReLU", conv_fused._relu)
    conv_fused.relu_grad = _timed("fused ReLU", conv_fused.relu_grad)
    conv_fused.unpool2x2 = _timed("fused unpool", conv_fused.unpool2x2)
    for cls, phase in ((pool.MaxPool2d, "max-pool"), (activation.ReLU, "ReLU"),
                       (linalg.Linear, "linear (GEMMs)"), (arithmetic.Mul, "dropout"),
                       (crossentropy.SoftmaxCrossEntropy, "loss")):
        cls.forward = _timed(phase, cls.forward)
        cls.backward = _timed(phase, cls.backward)
    for cls in (conv.Conv2d, conv_fused.Conv2dReLU):  # around the nested phases
        cls.forward = _timed("conv (rest)", cls.forward)
        cls.backward = _timed("conv (rest)", cls.backward)


def configure(kernels_on: bool, fused: bool, tiles: bool, threads: int | None) -> None:
    """Kernels on or off (off: NumPy references), fusion on or off, Winograd on or off (off:
    im2col), the ops' threads."""
    winograd.MIN_CHANNELS = MIN_CHANNELS if tiles else 2**62
    kernels.MIN_SIZE = 2048 if kernels_on else 2**62
    conv_kernels.MIN_SIZE = 4096 if kernels_on else 2**62
    fusion.fused_run = FUSED_RUN if fused else (lambda modules, i: None)
    parallel.width = WIDTH if threads is None else (lambda: threads)


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
    columns = {"chain, NumPy": (False, False, False, 1),
               "chain, kernels": (True, False, False, 1), "fused": (True, True, False, 1),
               "Winograd": (True, True, True, 1),
               f"Winograd, {WIDTH()} threads": (True, True, True, None)}
    tables = {}
    for label, setting in columns.items():
        configure(*setting)
        run(3)  # warm-up: kernels compile, workspaces settle
        TOTALS.clear()
        wall = run(args.steps)
        own = dict(TOTALS)
        own["conv (rest)"] = own.get("conv (rest)", 0.0) - sum(own.get(k, 0.0) for k in
                                                                NESTED)
        own["conv GEMMs"] = own.get("conv GEMMs", 0.0) + own.get("Winograd blocks", 0.0) \
            - own.get("Winograd transforms", 0.0)
        own["ReLU"] = own.get("ReLU", 0.0) + own.pop("fused ReLU", 0.0)
        own["max-pool"] = own.get("max-pool", 0.0) + own.pop("fused unpool", 0.0)
        own.pop("Winograd blocks", None)
        threaded = setting[3] is None and WIDTH() > 1
        own["other"] = float("nan") if threaded else wall - sum(own.values())
        if threaded:
            own["conv (rest)"] = float("nan")
        tables[label] = (wall, own)
    print(f"batch {args.batch}, ms per step over {args.steps} steps"
          " (threads: thread-ms, - where it does not apply)")
    print(f"  {'phase':<19}" + "".join(f"{label:>20}" for label in tables))
    first = tables["chain, NumPy"][1]
    phases = sorted(first, key=lambda k: -first[k]) + ["Winograd transforms", "total"]
    for phase in phases:
        cells = [(wall if phase == "total" else own.get(phase, 0.0)) / args.steps * 1e3
                 for wall, own in tables.values()]
        print(f"  {phase:<19}" + "".join("                   -" if c != c else f"{c:>20.1f}"
                                         for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
