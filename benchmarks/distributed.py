"""Data-parallel MNIST MLP over MPI: throughput for 1 and 2 ranks, allreduce cost, a model
of the speed-up on N machines, and what local SGD's k costs in accuracy.

Every rank trains the 784-512-512-10 ReLU MLP (669,706 parameters) with Adam at batch
128 per rank on one BLAS thread; `sync` averages the 2.7 MB flat gradient buffer with one
in-place Allreduce per step. The speed-up model for N machines (weak scaling, batch 128
per rank) is the ring allreduce's cost added to the measured compute time per step:

    t_step(N) = t_compute + 2 (N - 1) / N * bytes / bandwidth + 2 (N - 1) * latency
    speed-up(N) = N * t_compute / t_step(N)        (local SGD: the comm term divided by k)

with bandwidth and latency fitted to the measured Allreduce of the full buffer and of a
small one. Run: python benchmarks/distributed.py [--steps 200] [--accuracy-epochs 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STEPS_DEFAULT = 200


def rank_job(out: Path, steps: int, k_values: list[int], accuracy_epochs: int) -> None:
    """What each rank runs (under mpiexec): timings, then accuracy against k."""
    import chainrule as cr
    from chainrule import functional as F
    from chainrule import nn, optim
    from chainrule.distributed import DataParallel, ShardedLoader, world

    w = world()

    def mlp():
        cr.manual_seed(0)
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10))

    rng = np.random.default_rng(w.rank)
    xb = cr.tensor(rng.random((128, 784), dtype=np.float32))
    yb = cr.tensor(rng.integers(0, 10, 128))
    model = mlp()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    dp = DataParallel(model, opt)
    dp.broadcast()
    compute, reduce = [], []
    for i in range(steps + 20):
        w.barrier()
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        t1 = time.perf_counter()
        dp.sync_gradients()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if i >= 20:
            compute.append((t1 - t0) + (t3 - t2))
            reduce.append(t2 - t1)
    big = np.ones(669_706, np.float32)
    small = np.ones(16, np.float32)
    allreduce = {"big": [], "small": []}
    for _ in range(100):
        for name, buf in (("big", big), ("small", small)):
            w.barrier()
            t0 = time.perf_counter()
            w.allreduce_sum_(buf)
            allreduce[name].append(time.perf_counter() - t0)
    result = {"ranks": w.size, "compute_ms": 1e3 * float(np.median(compute)),
              "allreduce_step_ms": 1e3 * float(np.median(reduce)),
              "allreduce_big_ms": 1e3 * float(np.median(allreduce["big"])),
              "allreduce_small_ms": 1e3 * float(np.median(allreduce["small"])),
              "step_ms": 1e3 * float(np.median(np.add(compute, reduce)))}
    result["samples_per_s"] = w.size * 128 / (result["step_ms"] / 1e3)
    if accuracy_epochs and w.size > 1:
        result["accuracy"] = local_sgd_accuracy(w, mlp, k_values, accuracy_epochs,
                                                DataParallel, ShardedLoader, F, optim)
    if w.is_root:
        out.write_text(json.dumps(result))


def local_sgd_accuracy(w, mlp, k_values, epochs, DataParallel, ShardedLoader, F, optim):
    """MNIST test accuracy after ``epochs`` epochs of local SGD for each k (global batch 128)."""
    from chainrule.data import MNIST

    train, test = MNIST("train"), MNIST("test")
    x, y = train.x.reshape(len(train), -1), train.y
    xt, yt = test.x.reshape(len(test), -1), test.y
    accuracy = {}
    for k in k_values:
        model = mlp()
        opt = optim.Adam(model.parameters(), lr=1e-3)
        dp = DataParallel(model, opt, mode="local_sgd", k=k)
        dp.broadcast()
        loader = ShardedLoader((x, y), batch_size=128 // w.size, shuffle=True, seed=0)
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
                dp.step_done()
        for flat in opt.flat_buffers:  # evaluate the averaged model
            w.allreduce_mean_(flat.data)
        logits = np.concatenate([model(xt[i:i + 1000]).data for i in range(0, len(xt), 1000)])
        accuracy[str(k)] = float((logits.argmax(1) == yt).mean())
    return accuracy


def modelled_speedup(one: dict, two: dict, n: int, k: int = 1) -> float:
    """Weak-scaling speed-up on ``n`` machines from the measured 1- and 2-rank figures."""
    nbytes = 669_706 * 4
    # 2 ranks: a ring allreduce moves 2(N-1)/N = 1 buffer per rank, plus 2(N-1) = 2 latencies
    latency = two["allreduce_small_ms"] / 2
    bandwidth = nbytes / max(two["allreduce_big_ms"] - 2 * latency, 1e-6)  # bytes per ms
    comm = 2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * latency
    t = one["compute_ms"]
    return n * t / (t + comm / k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS_DEFAULT)
    parser.add_argument("--accuracy-epochs", type=int, default=2,
                        help="MNIST epochs per k for the local SGD accuracy (0: skip)")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--rank-job", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rank_job is not None:
        rank_job(args.rank_job, args.steps, args.k, args.accuracy_epochs)
        return 0
    from chainrule.distributed import launch

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2):
            out = Path(tmp) / f"{n}.json"
            program = [str(Path(__file__).resolve()), "--rank-job", str(out), "--steps",
                       str(args.steps), "--accuracy-epochs", str(args.accuracy_epochs),
                       "--k", *map(str, args.k)]
            job = launch(n, program, timeout=3600)
            if job.returncode != 0:
                print(f"{n}-rank job failed: {job.message}", file=sys.stderr)
                return 1
            results[n] = json.loads(out.read_text())
    one, two = results[1], results[2]
    print(f"{'ranks':>5} {'step ms':>8} {'compute ms':>10} {'allreduce ms':>12} {'samples/s':>10}")
    for n, r in results.items():
        print(f"{n:>5} {r['step_ms']:8.2f} {r['compute_ms']:10.2f} {r['allreduce_step_ms']:12.3f} "
              f"{r['samples_per_s']:10.0f}")
    gbps = 669_706 * 4 / (two["allreduce_big_ms"] / 1e3) / 1e9
    print(f"2-rank throughput / 1-rank: {two['samples_per_s'] / one['samples_per_s']:.2f}x")
    print(f"Allreduce of the 2.68 MB buffer between 2 ranks: {two['allreduce_big_ms']:.3f} ms "
          f"({gbps:.2f} GB/s); of 64 bytes: {two['allreduce_small_ms'] * 1e3:.1f} us")
    for k in (1, 4, 16):
        cells = ", ".join(f"{n}: {modelled_speedup(one, two, n, k):.1f}x" for n in (4, 16, 64))
        print(f"modelled speed-up (batch 128 per machine, k={k}): {cells}")
    if "accuracy" in two:
        acc = ", ".join(f"k={k}: {100 * a:.2f}%" for k, a in two["accuracy"].items())
        print(f"MNIST test accuracy, 2 ranks, local SGD, {args.accuracy_epochs} epochs: {acc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
