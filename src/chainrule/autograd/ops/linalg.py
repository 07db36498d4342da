"""Matrix products: matmul (1-D, 2-D, batched with broadcasting) and the fused linear layer."""

from __future__ import annotations

import functools
import math

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import parallel


def _matmul_error(a: np.ndarray, b: np.ndarray) -> ValueError:
    inner_a = a.shape[-1] if a.ndim else None
    inner_b = b.shape[-2] if b.ndim >= 2 else (b.shape[0] if b.ndim else None)
    return ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                      f"({inner_a} != {inner_b})")


class MatMul(Function):
    """a @ b with NumPy's rules; d/da = g @ b^T, d/db = a^T @ g.

    Batch axes that broadcasting added are summed back by the engine.
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least one dimension, got shapes "
                             f"{a.shape} and {b.shape}")
        self.a, self.b = a, b
        try:
            return np.matmul(a, b)
        except ValueError:
            raise _matmul_error(a, b) from None

    def backward(self, g: np.ndarray) -> tuple:
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:
            return g * b, g * a
        # Treat vectors as matrices (a row / a column) so one formula covers all cases.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if self.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return np.matmul(ta, self.b) + np.matmul(self.a, tb)


# Below this many multiply-adds a linear layer's products run on the calling thread.
PARALLEL_MACS = 2**23


class Linear(Function):
    """y = x @ W^T + b with W of shape (out_features, in_features), as torch.

    ``x`` may have any number of leading axes. dx = g W, dW = g^T x, db is a
    column sum. Large products are split over the op's threads (:mod:`parallel`)
    by rows of x and g (the output, dx) and by rows of W (dW), each on a
    one-thread BLAS.
    """

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if w.ndim != 2:
            raise ValueError(f"linear: weight must be 2-D (out_features, in_features), "
                             f"got shape {w.shape}")
        if x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ValueError(f"linear: input of shape {x.shape} does not fit weight of shape "
                             f"{w.shape} (expected last dimension {w.shape[1]})")
        if b is not None and b.shape != (w.shape[0],):
            raise ValueError(f"linear: bias of shape {b.shape} does not fit weight of shape "
                             f"{w.shape} (expected ({w.shape[0]},))")
        self.x, self.w = x, w
        x2 = self._rows(x)
        shares = self._shares(x2.shape[0])
        if len(shares) == 1:  # small: in this thread, without the pool's hand-offs
            with parallel.one_blas_thread():
                out = np.matmul(x, w.T)
            if b is not None:
                out += b
            return out
        out = np.empty(x.shape[:-1] + (w.shape[0],), dtype=np.result_type(x, w))
        out2 = out.reshape(x2.shape[0], w.shape[0])

        def rows(r: slice) -> None:
            np.matmul(x2[r], w.T, out=out2[r])
            if b is not None:
                out2[r] += b
        parallel.run([functools.partial(rows, r) for r in shares])
        return out

    def backward(self, g: np.ndarray) -> tuple:
        needs, x2, g2, w = self.needs_input_grad, self._rows(self.x), self._rows(g), self.w
        gb = g2.sum(axis=0) if len(needs) == 3 and needs[2] else None  # dL/db = sum_rows g
        shares = self._shares(g2.shape[0])
        if len(shares) == 1:
            with parallel.one_blas_thread():
                gx = np.matmul(g, w) if needs[0] else None  # dL/dx = g W
                gw = np.matmul(g2.T, x2) if needs[1] else None  # dL/dW = g^T x
            return gx, gw, gb
        gx = np.empty(self.x.shape, np.result_type(g, w)) if needs[0] else None
        gw = np.empty(w.shape, np.result_type(g, self.x)) if needs[1] else None
        gx2 = None if gx is None else gx.reshape(g2.shape[0], w.shape[1])
        features = parallel.split(w.shape[0], len(shares))

        def share(t: int, r: slice) -> None:
            if gx2 is not None:
                np.matmul(g2[r], w, out=gx2[r])
            if gw is not None and t < len(features):
                np.matmul(g2[:, features[t]].T, x2, out=gw[features[t]])
        parallel.run([functools.partial(share, t, r) for t, r in enumerate(shares)])
        return gx, gw, gb

    def _shares(self, rows: int) -> list[slice]:
        """The rows each thread takes: all on one thread below PARALLEL_MACS."""
        if rows * self.w.shape[0] * self.w.shape[1] < PARALLEL_MACS:
            return [slice(0, rows)]
        return parallel.split(rows, parallel.width())

    @staticmethod
    def _rows(a: np.ndarray) -> np.ndarray:
        """The leading axes merged into one: (*, n) -> (rows, n), a size-0 axis included."""
        return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])

    def jvp(self, tx: np.ndarray, tw: np.ndarray, tb: np.ndarray | None = None) -> np.ndarray:
        out = np.matmul(tx, self.w.T) + np.matmul(self.x, tw.T)
        return out if tb is None else out + tb
