"""Is this VM in its slow state? A probe of what sharing data between the two cores costs.

For seconds at a time the shared machine slows down every pass over data that the other
core has just touched (as if the two vCPUs sat in different core complexes), while work
on data only one core touches keeps its speed. The probe measures exactly that: two BLAS
calls on both threads (read W, write dW, as in a training step), then one single-threaded
pass over W and dW, against the same pass over arrays of the same size that no BLAS thread
touched. Fast state: the ratio is about 0.5-1.0; slow state: about 4-5.

Run it alone to watch the state flip: ``python benchmarks/machine_state.py 60``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

SLOW_RATIO = 2.0  # shared / private pass time above which the machine counts as slow


def ran_fast(probes: tuple[float, float] | list[float]) -> bool:
    """Whether an epoch ran in the fast state: the probes before and after it both fast."""
    return max(probes) <= SLOW_RATIO


class CrossCoreProbe:
    """How much slower a pass over data the BLAS threads shared is than one over private data."""

    def __init__(self, batch: int = 128, fan_in: int = 784, fan_out: int = 512):
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((batch, fan_in)).astype(np.float32)
        self.g = rng.standard_normal((batch, fan_out)).astype(np.float32)
        self.w = rng.standard_normal((fan_out, fan_in)).astype(np.float32)
        self.dw = np.empty_like(self.w)
        self.y = np.empty((batch, fan_out), dtype=np.float32)
        self.own = rng.standard_normal((2, fan_out, fan_in)).astype(np.float32)

    def _pass(self, shared: bool) -> float:
        np.matmul(self.x, self.w.T, out=self.y)
        np.matmul(self.g.T, self.x, out=self.dw)
        a, b = (self.w, self.dw) if shared else (self.own[0], self.own[1])
        t0 = time.perf_counter()
        np.multiply(b, 1e-3, out=b)  # an SGD step, w += 1e-3 dw, on one core
        np.add(a, b, out=a)
        return time.perf_counter() - t0

    def ratio(self, seconds: float = 0.25) -> float:
        """Shared / private pass time, medians over about ``seconds`` of alternating passes."""
        shared, private = [], []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            shared.append(self._pass(True))
            private.append(self._pass(False))
        return statistics.median(shared) / statistics.median(private)


if __name__ == "__main__":
    probe, end = CrossCoreProbe(), time.time() + float(sys.argv[1] if len(sys.argv) > 1 else 30)
    while time.time() < end:
        r = probe.ratio()
        print(f"{time.strftime('%H:%M:%S')} shared/private {r:5.2f} "
              f"{'slow' if r > SLOW_RATIO else 'fast'}", flush=True)
        time.sleep(1)
