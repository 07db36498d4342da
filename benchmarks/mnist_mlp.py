"""One MNIST epoch of a 784-W-W-10 ReLU MLP with Adam, side by side.

Contenders, each in its own subprocess so that peak RSS is its own:
  chainrule_trainer  chainrule through Trainer.fit
  chainrule_loop     chainrule through a hand-written PyTorch-style loop
  torch              PyTorch on the CPU
  numpy              a hand-written NumPy loop (flat backprop, Adam as NumPy expressions)
  sklearn            scikit-learn's MLPClassifier (one partial_fit epoch)
  floor              the step's matrix multiplies alone (forward, dW, dX), same shapes

Every contender runs in a worker process that trains one warm-up epoch, then one
timed epoch per request; the driver interleaves the contenders' epochs
(A B C, B C A, ...) so that the machine's drift hits them alike, and reports
the median of `--repeats` epochs with test accuracy and peak RSS. Between epochs
it probes the machine's state (machine_state.py) and also reports the median over
the epochs that ran in the fast state throughout. Run it through `make bench`,
which unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this command.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from machine_state import SLOW_RATIO, CrossCoreProbe, ran_fast

CONTENDERS = ["chainrule_trainer", "chainrule_loop", "torch", "numpy", "sklearn", "floor"]
LR = 1e-3


def load_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from chainrule.data import MNIST

    train, test = MNIST("train"), MNIST("test")

    def flat(d) -> np.ndarray:
        return np.ascontiguousarray(d.x.reshape(len(d), -1), dtype=np.float32)

    return flat(train), train.y.astype(np.int64), flat(test), test.y.astype(np.int64)


def batches(n: int, batch: int, rng: np.random.Generator):
    perm = rng.permutation(n)
    for i in range(0, n, batch):
        yield perm[i:i + batch]


# ------------------------------------------------------------------ contenders
def run_floor(data, batch: int, width: int):
    """Only the GEMMs of one step: 3 forward, 3 dW, 2 dX, same shapes as the MLP."""
    x, _, _, _ = data
    rng = np.random.default_rng(0)
    dims = [784, width, width, 10]
    ws = [rng.standard_normal((dims[i], dims[i + 1])).astype(np.float32) * 0.01
          for i in range(3)]

    def epoch() -> None:
        for idx in batches(len(x), batch, rng):
            a = [x[idx]]
            for w in ws:
                a.append(a[-1] @ w)
            g = a[-1]
            for i in (2, 1, 0):
                a[i].T @ g
                if i:
                    g = g @ ws[i].T

    return epoch, None


def run_numpy(data, batch: int, width: int):
    """A hand-written NumPy MLP: forward, softmax-CE, backprop, Adam, no autograd."""
    x, y, xt, yt = data
    rng = np.random.default_rng(0)
    dims = [784, width, width, 10]
    params = []
    for i in range(3):
        bound = 1 / np.sqrt(dims[i])
        params += [rng.uniform(-bound, bound, (dims[i], dims[i + 1])).astype(np.float32),
                   rng.uniform(-bound, bound, dims[i + 1]).astype(np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]

    def forward(xb):
        acts = [xb]
        for i in range(3):
            z = acts[-1] @ params[2 * i] + params[2 * i + 1]
            acts.append(np.maximum(z, 0) if i < 2 else z)
        return acts

    def epoch() -> None:
        b1, b2, eps = 0.9, 0.999, 1e-8
        for idx in batches(len(x), batch, rng):
            acts = forward(x[idx])
            logits = acts[-1]
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(idx)), y[idx]] -= 1
            g = p / len(idx)
            grads = [None] * 6
            for i in (2, 1, 0):
                grads[2 * i] = acts[i].T @ g
                grads[2 * i + 1] = g.sum(axis=0)
                if i:
                    g = (g @ params[2 * i].T) * (acts[i] > 0)
            t[0] += 1
            c1, c2 = 1 - b1 ** t[0], 1 - b2 ** t[0]
            for pi, gi, mi, vi in zip(params, grads, m, v, strict=True):
                mi *= b1
                mi += (1 - b1) * gi
                vi *= b2
                vi += (1 - b2) * gi * gi
                pi -= LR * (mi / c1) / (np.sqrt(vi / c2) + eps)

    def accuracy() -> float:
        return float(np.mean(forward(xt)[-1].argmax(axis=1) == yt))

    return epoch, accuracy


def run_torch(data, batch: int, width: int):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    x, y, xt, yt = (torch.from_numpy(a) for a in data)
    model = torch.nn.Sequential(torch.nn.Linear(784, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    rng = np.random.default_rng(0)

    def epoch() -> None:
        for idx in batches(len(x), batch, rng):
            idx = torch.from_numpy(idx)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()

    def accuracy() -> float:
        with torch.no_grad():
            return float((model(xt).argmax(1) == yt).float().mean())

    return epoch, accuracy


def run_sklearn(data, batch: int, width: int):
    import warnings

    from sklearn.neural_network import MLPClassifier

    x, y, xt, yt = data
    clf = MLPClassifier(hidden_layer_sizes=(width, width), solver="adam", batch_size=batch,
                        learning_rate_init=LR, random_state=0)
    classes = np.arange(10)

    def epoch() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(x, y, classes=classes)

    return epoch, lambda: float(clf.score(xt, yt))


def _chainrule_model(width: int):
    import chainrule as cr
    from chainrule import nn, optim

    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                          nn.Linear(width, 10))
    return model, optim.Adam(model.parameters(), lr=LR)


def _chainrule_accuracy(model, xt, yt) -> float:
    import chainrule as cr

    model.eval()
    with cr.no_grad():
        acc = float(np.mean(model(cr.Tensor(xt)).data.argmax(axis=1) == yt))
    model.train()
    return acc


def run_chainrule_loop(data, batch: int, width: int):
    from chainrule import functional as F
    from chainrule.data import ArrayDataset, DataLoader

    x, y, xt, yt = data
    model, opt = _chainrule_model(width)
    loader = DataLoader(ArrayDataset(x, y), batch_size=batch, shuffle=True, seed=0)

    def epoch() -> None:
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()

    return epoch, lambda: _chainrule_accuracy(model, xt, yt)


def run_chainrule_trainer(data, batch: int, width: int):
    from chainrule.data import ArrayDataset, DataLoader
    from chainrule.train import Trainer

    x, y, xt, yt = data
    model, opt = _chainrule_model(width)
    trainer = Trainer(model, opt, loss="cross_entropy")
    # One loader for all epochs, as in the hand loop: the two contenders do the same work.
    loader = DataLoader(ArrayDataset(x, y), batch_size=batch, shuffle=True, seed=0)

    def epoch() -> None:
        trainer.fit(loader, epochs=1, verbose=False)

    return epoch, lambda: _chainrule_accuracy(model, xt, yt)


RUNNERS = {"floor": run_floor, "numpy": run_numpy, "torch": run_torch, "sklearn": run_sklearn,
           "chainrule_loop": run_chainrule_loop, "chainrule_trainer": run_chainrule_trainer}


# ---------------------------------------------------------------------- driver
def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl missing)"
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    # NumPy's own BLAS first: SciPy, once imported, brings a second one.
    pools.sort(key=lambda pool: "numpy" not in pool.get("filepath", ""))
    if not pools:
        return "unknown"
    pool = pools[0]
    return (f"{pool.get('internal_api')} {pool.get('version')} "
            f"kernel={pool.get('architecture')} threads={pool.get('num_threads')}")


def sgemm_peak(n: int = 2048, repeats: int = 5) -> float:
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    a @ a
    best = min(_time_once(lambda: a @ a) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def _time_once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


class Worker:
    """One contender in its own process, running an epoch whenever the driver says so."""

    def __init__(self, name: str, batch: int, width: int):
        self.name = name
        cmd = [sys.executable, __file__, "--serve", name, "--batch", str(batch), "--width",
               str(width)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.times: list[float] = []
        self.probes: list[tuple[float, float]] = []  # machine state before and after each epoch
        self.error = None if self._read() == "ready" else "failed to start"

    def _read(self) -> str:
        line = self.proc.stdout.readline().strip()
        if not line:
            self.error = f"exited with status {self.proc.wait()}"
        return line

    def epoch(self) -> None:
        if self.error is None:
            self.proc.stdin.write("epoch\n")
            reply = self._read()
            if reply:
                self.times.append(float(reply))

    def finish(self) -> dict:
        if self.error is not None:
            return {"error": self.error}
        self.proc.stdin.write("finish\n")
        result = json.loads(self._read())
        self.proc.wait()
        fast = [t for t, probes in zip(self.times, self.probes, strict=True)
                if ran_fast(probes)]
        return {"times": self.times, "median": statistics.median(self.times),
                "probes": self.probes, "fast_median": statistics.median(fast) if fast else None,
                **result}


def answer_requests(timed, accuracy) -> None:
    """Worker loop: each stdin line but "finish" is timed as ``timed(words)`` and the seconds
    printed; "finish" prints the test accuracy and the peak RSS as JSON and returns."""
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[0] != "finish":
            t0 = time.perf_counter()
            timed(words)
            print(time.perf_counter() - t0, flush=True)
        else:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(json.dumps({"accuracy": accuracy() if accuracy else None,
                              "peak_rss_mb": rss}), flush=True)
            return


def serve(name: str, batch: int, width: int) -> None:
    """Worker side: warm up with one epoch, then time one epoch per request."""
    epoch, accuracy = RUNNERS[name](load_mnist(), batch, width)
    epoch()  # warm-up: JIT, first-touch allocations, BLAS threads, all outside the timing
    answer_requests(lambda words: epoch(), accuracy)


def run_block(names: list[str], batch: int, width: int, repeats: int,
              probe: CrossCoreProbe) -> dict:
    """Interleave the contenders' epochs (A B C, B C A, ...) so drift hits them alike.

    The machine-state probe runs between epochs, so each epoch is known to have
    started and ended in the fast or the slow state (see machine_state.py).
    """
    workers = [Worker(name, batch, width) for name in names]
    before = probe.ratio()
    for r in range(repeats):
        for w in workers[r % len(workers):] + workers[:r % len(workers)]:
            w.epoch()
            after = probe.ratio()
            w.probes.append((before, after))
            before = after
    return {w.name: w.finish() for w in workers}


def ratio(a: dict, b: dict) -> float | None:
    if "median" in a and "median" in b:
        return a["median"] / b["median"]
    return None


def report(results: list[dict]) -> None:
    for block in results:
        print(f"\nbatch {block['batch']}, width {block['width']} "
              f"(medians of {block['repeats']} epochs)")
        print(f"{'contender':<19}{'median s':>10}{'fast s':>10}{'n fast':>7}{'test acc':>10}"
              f"{'peak RSS MB':>13}")
        rows = block["contenders"]
        for name, res in rows.items():
            if "error" in res:
                print(f"{name:<19} error: {res['error']}")
                continue
            acc = f"{res['accuracy']:.4f}" if res["accuracy"] is not None else "-"
            fast = f"{res['fast_median']:.3f}" if res["fast_median"] is not None else "-"
            n_fast = sum(map(ran_fast, res["probes"]))
            print(f"{name:<19}{res['median']:>10.3f}{fast:>10}{n_fast:>7}{acc:>10}"
                  f"{res['peak_rss_mb']:>13.0f}")
        for ours in ("chainrule_trainer", "chainrule_loop"):
            if ours not in rows:
                continue
            parts = [f"{ours}/{other} = {r:.2f}" for other in ("numpy", "torch", "floor",
                                                              "chainrule_loop")
                     if other != ours and other in rows
                     and (r := ratio(rows[ours], rows[other])) is not None]
            if parts:
                print("  " + ", ".join(parts))
    print(f"\n'fast s': median over the epochs with the machine-state probe fast (shared/private "
          f"<= {SLOW_RATIO}) before and after; 'n fast': how many of the epochs that is")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, nargs="+", default=[128, 16])
    parser.add_argument("--width", type=int, nargs="+", default=[512])
    parser.add_argument("--widths-sweep", type=int, nargs="*", default=[128, 2048],
                        help="extra widths at batch 128 (default 128 2048)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--contenders", nargs="+", default=CONTENDERS, choices=CONTENDERS)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    if args.serve:
        serve(args.serve, args.batch[0], args.width[0])
        return 0

    print(f"BLAS: {blas_info()}")
    peak = sgemm_peak()
    print(f"sgemm peak (2048^3): {peak:.0f} GFLOP/s")
    probe = CrossCoreProbe()
    plan = [(b, w) for b in args.batch for w in args.width]
    plan += [(128, w) for w in args.widths_sweep if (128, w) not in plan]
    results = []
    for batch, width in plan:
        names = args.contenders if width == 512 else [c for c in args.contenders
                                                       if c != "sklearn"]
        print(f"  batch {batch}, width {width}: {', '.join(names)} ...", flush=True)
        results.append({"batch": batch, "width": width, "repeats": args.repeats,
                        "contenders": run_block(names, batch, width, args.repeats, probe)})
    report(results)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"blas": blas_info(), "sgemm_gflops": peak, "results": results}, fh,
                      indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
