"""Engine overhead: microseconds per op on tiny tensors, and one MLP training step.

chainrule and PyTorch side by side in the same process and run:

* every op on tiny tensors (4x4; the MLP-shaped ops at batch 4), forward alone
  (with the graph recorded) and forward + backward, so the numbers are the
  per-op bookkeeping rather than the arithmetic;
* one training step (forward, cross-entropy, backward, plain SGD update) of a
  784-512-512-10 ReLU MLP at batch 16 and 128. chainrule keeps its parameters
  in a flat buffer (zeroing is one fill, the update one pass); torch uses
  ``torch.optim.SGD``. Both start from the same weights and must agree on the
  first loss.

Each timing is the best of several repeats of an auto-sized loop, chainrule
and torch taking turns so that load from other processes hits both. Run it
through ``make bench`` (which unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE) for
representative numbers; ``--quick`` for a short run, ``--json PATH`` to keep
the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import timeit
from collections.abc import Callable
from typing import Any

import numpy as np

import chainrule as cr
from chainrule import functional as F
from chainrule.autograd.flat import FlatBuffer

LR = 0.01


def best_times(fns: list[Callable[[], Any]], budget: float, repeats: int) -> list[float]:
    """Seconds per call of each function: the best of ``repeats`` loops of about ``budget``.

    The functions take turns, loop after loop, so a burst of load from other
    processes hits them alike rather than one of them.
    """
    numbers = []
    for fn in fns:
        fn()  # warm-up (allocations, caches, lazy imports)
        number = 1
        while (elapsed := timeit.timeit(fn, number=number)) < budget / 10:
            number *= 10
        numbers.append(max(1, round(number * budget / elapsed)))
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, (fn, number) in enumerate(zip(fns, numbers, strict=True)):
            best[i] = min(best[i], timeit.timeit(fn, number=number) / number)
    return best


# ************************************************************* tiny ops

def tiny_ops(torch: Any) -> dict[str, tuple[Callable, Callable]]:
    """name -> (chainrule op, torch op), each a function of prepared inputs."""
    tf = torch.nn.functional
    labels = np.array([0, 3, 1, 2])
    t_labels = torch.from_numpy(labels)
    rows = np.array([0, 2, 2, 1])
    t_rows = torch.from_numpy(rows)
    return {
        "add": (lambda a, b, w, bias: a + b, lambda a, b, w, bias: a + b),
        "mul": (lambda a, b, w, bias: a * b, lambda a, b, w, bias: a * b),
        "matmul 4x4": (lambda a, b, w, bias: a @ b, lambda a, b, w, bias: a @ b),
        "relu": (lambda a, b, w, bias: F.relu(a), lambda a, b, w, bias: tf.relu(a)),
        "exp": (lambda a, b, w, bias: a.exp(), lambda a, b, w, bias: a.exp()),
        "sum": (lambda a, b, w, bias: a.sum(), lambda a, b, w, bias: a.sum()),
        "getitem": (lambda a, b, w, bias: a[rows], lambda a, b, w, bias: a[t_rows]),
        "linear": (lambda a, b, w, bias: F.linear(a, w, bias),
                   lambda a, b, w, bias: tf.linear(a, w, bias)),
        "cross_entropy": (lambda a, b, w, bias: F.cross_entropy(a, labels),
                          lambda a, b, w, bias: tf.cross_entropy(a, t_labels)),
    }


def bench_ops(torch: Any, budget: float, repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(4, 4), (4, 4), (4, 4), (4,)]]
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    results = []
    for name, (our_op, their_op) in tiny_ops(torch).items():
        for mode in ("forward", "forward+backward"):
            if mode == "forward":
                def our_fn(op=our_op):
                    return op(*ours)

                def their_fn(op=their_op):
                    return op(*theirs)
            else:
                def our_fn(op=our_op):
                    op(*ours).sum().backward()

                def their_fn(op=their_op):
                    op(*theirs).sum().backward()
            ours_us, theirs_us = (t * 1e6 for t in best_times([our_fn, their_fn], budget,
                                                                repeats))
            results.append({"name": name, "mode": mode, "chainrule_us": ours_us,
                            "torch_us": theirs_us, "ratio": ours_us / theirs_us})
    return results


# ************************************************************* MLP step

SIZES = [784, 512, 512, 10]


def init_weights(seed: int = 0) -> list[np.ndarray]:
    """(weight, bias) per layer, torch layout (out, in), He-uniform-ish scale."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return params


def chainrule_step(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> Callable:
    params = [cr.tensor(w, requires_grad=True) for w in weights]
    flat = FlatBuffer(params)
    xb = cr.tensor(x)

    def step() -> float:
        flat.zero_grad()
        h = xb
        for i in range(0, len(params) - 2, 2):
            h = F.relu(F.linear(h, params[i], params[i + 1]))
        loss = F.cross_entropy(F.linear(h, params[-2], params[-1]), y)
        loss.backward()
        grad = flat.grad
        grad *= LR  # in place: the gradients are zeroed at the next step anyway
        flat.data -= grad
        return loss.item()

    return step


def torch_step(torch: Any, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> Callable:
    tf = torch.nn.functional
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = torch.optim.SGD(params, lr=LR)
    xb, yb = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> float:
        opt.zero_grad()
        h = xb
        for i in range(0, len(params) - 2, 2):
            h = tf.relu(tf.linear(h, params[i], params[i + 1]))
        loss = tf.cross_entropy(tf.linear(h, params[-2], params[-1]), yb)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def bench_mlp(torch: Any, budget: float, repeats: int) -> list[dict]:
    results = []
    for batch in (16, 128):
        rng = np.random.default_rng(batch)
        x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
        y = rng.integers(0, SIZES[-1], size=batch)
        weights = init_weights()
        ours, theirs = chainrule_step(weights, x, y), torch_step(torch, weights, x, y)
        first_ours, first_theirs = ours(), theirs()
        if not np.isclose(first_ours, first_theirs, rtol=1e-4):
            raise RuntimeError(f"the two MLPs disagree at batch {batch}: first loss "
                               f"{first_ours} (chainrule) vs {first_theirs} (torch)")
        ours_ms, theirs_ms = (t * 1e3 for t in best_times([ours, theirs], budget * 2, repeats))
        results.append({"name": f"MLP 784-512-512-10 step, batch {batch}",
                        "chainrule_ms": ours_ms, "torch_ms": theirs_ms,
                        "ratio": ours_ms / theirs_ms})
    return results


# ************************************************************* report

def environment(torch: Any) -> dict:
    from threadpoolctl import threadpool_info

    # Every BLAS loaded in the process; the one numpy's matmul uses sits in numpy.libs.
    blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                      "filepath")} | {"numpy": "numpy" in info["filepath"]}
            for info in threadpool_info() if info.get("user_api") == "blas"]
    return {
        "python": sys.version.split()[0], "platform": platform.platform(),
        "cpu_count": os.cpu_count(), "numpy": np.__version__, "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(), "blas": blas,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }


def print_report(env: dict, ops: list[dict], mlp: list[dict]) -> None:
    print(f"numpy {env['numpy']}, torch {env['torch']} ({env['torch_threads']} threads), "
          f"{env['cpu_count']} cores, python {env['python']}")
    for blas in env["blas"]:
        owner = "numpy BLAS" if blas["numpy"] else "other BLAS"
        print(f"{owner}: {blas['internal_api']} {blas['version']}, kernel "
              f"{blas['architecture']}, {blas['num_threads']} threads ({blas['filepath']})")
    print(f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} "
          f"OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}")
    print()
    print(f"{'op (tiny tensors)':<20} {'mode':<17} {'chainrule us':>13} {'torch us':>10} "
          f"{'ratio':>7}")
    for r in ops:
        print(f"{r['name']:<20} {r['mode']:<17} {r['chainrule_us']:>13.2f} "
              f"{r['torch_us']:>10.2f} {r['ratio']:>7.2f}")
    print()
    print(f"{'training step':<38} {'chainrule ms':>13} {'torch ms':>10} {'ratio':>7}")
    for r in mlp:
        print(f"{r['name']:<38} {r['chainrule_ms']:>13.3f} {r['torch_ms']:>10.3f} "
              f"{r['ratio']:>7.2f}")
    print("\nratio = chainrule / torch (below 1: chainrule is faster)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--quick", action="store_true", help="a short, noisier run")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    budget, repeats = (0.02, 3) if args.quick else (0.1, 5)
    env = environment(torch)
    ops = bench_ops(torch, budget, repeats)
    mlp = bench_mlp(torch, budget, repeats)
    print_report(env, ops, mlp)
    if args.json:
        tmp = f"{args.json}.tmp"
        with open(tmp, "w") as f:
            json.dump({"environment": env, "ops": ops, "mlp": mlp}, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
