"""Losses as fused ops: stable formulas, one backward each, reduction 'mean' | 'sum' | 'none'."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


class _Loss(Function):
    """Per-element losses reduced by ``reduction``; ``backward`` scales by the reduction."""

    def reduce(self, losses: np.ndarray, reduction: str, count: int | None = None) -> np.ndarray:
        self.reduction, self.loss_shape = reduction, losses.shape
        self.count = losses.size if count is None else count
        if reduction == "none":
            return losses
        total = losses.sum()
        if reduction == "sum":
            return np.asarray(total)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / losses.dtype.type(self.count))

    def upstream(self, g: np.ndarray) -> np.ndarray:
        """The gradient reaching each per-element loss."""
        if self.reduction == "none":
            return g
        if self.reduction == "mean":
            g = g / g.dtype.type(self.count)
        return np.broadcast_to(g, self.loss_shape)


class MSE(_Loss):
    """(a - b)^2."""

    def forward(self, a: np.ndarray, b: np.ndarray, reduction: str = "mean") -> np.ndarray:
        self.diff = a - b
        return self.reduce(self.diff * self.diff, reduction)

    def backward(self, g: np.ndarray) -> tuple:
        ga = 2 * self.upstream(g) * self.diff
        return ga, (-ga if self.needs_input_grad[1] else None)


class L1(_Loss):
    """|a - b|; the gradient is sign(a - b)."""

    def forward(self, a: np.ndarray, b: np.ndarray, reduction: str = "mean") -> np.ndarray:
        diff = a - b
        self.sign = np.sign(diff)
        return self.reduce(np.abs(diff), reduction)

    def backward(self, g: np.ndarray) -> tuple:
        ga = self.upstream(g) * self.sign
        return ga, (-ga if self.needs_input_grad[1] else None)


class BinaryCrossEntropy(_Loss):
    """-(y log p + (1 - y) log(1 - p)) on probabilities, each log clamped at -100 (as torch)."""

    def forward(self, p: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
            raise ValueError(f"binary_cross_entropy: input must hold probabilities in [0, 1], "
                             f"got values in [{p.min()}, {p.max()}]")
        self.p, self.y = p, y
        with np.errstate(divide="ignore"):
            self.log_p = np.maximum(np.log(p), -100)
            self.log_q = np.maximum(np.log1p(-p), -100)
        return self.reduce(-(y * self.log_p + (1 - y) * self.log_q), reduction)

    def backward(self, g: np.ndarray) -> tuple:
        up = self.upstream(g)
        p = self.p
        eps = p.dtype.type(1e-12)
        gp = up * (p - self.y) / np.maximum((1 - p) * p, eps)
        gy = up * (self.log_q - self.log_p) if self.needs_input_grad[1] else None
        return gp, gy


class BinaryCrossEntropyWithLogits(_Loss):
    """BCE on logits x: max(x, 0) - x y + log(1 + e^-|x|), finite for any finite x."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        self.x, self.y = x, y
        losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        return self.reduce(losses, reduction)

    def backward(self, g: np.ndarray) -> tuple:
        up = self.upstream(g)
        e = np.exp(-np.abs(self.x))
        sig = np.where(self.x >= 0, 1 / (1 + e), e / (1 + e))
        gx = up * (sig - self.y)
        gy = -up * self.x if self.needs_input_grad[1] else None
        return gx, gy


def _class_last(a: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C); (C,) -> (1, C); (N, C) unchanged."""
    if a.ndim == 1:
        return a[None, :]
    if a.ndim > 2:
        a = np.moveaxis(a, 1, -1)
    return a.reshape(-1, a.shape[-1])


def _restore(a2: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`_class_last`."""
    if len(shape) <= 2:
        return a2.reshape(shape)
    moved = a2.reshape((shape[0],) + shape[2:] + (shape[1],))
    return np.moveaxis(moved, -1, 1)


def check_labels(target: np.ndarray, classes: int, ignore_index: int, op: str) -> None:
    """Raise if integer labels fall outside [0, classes) (ignore_index aside)."""
    valid = target[target != ignore_index]
    if valid.size and (valid.min() < 0 or valid.max() >= classes):
        bad = valid[(valid < 0) | (valid >= classes)]
        raise ValueError(f"{op}: labels must lie in [0, {classes}), got {bad[:5].tolist()}"
                         f"{' ...' if bad.size > 5 else ''}")


class NLL(_Loss):
    """-logp[i, y_i]: the negative log-likelihood of log-probabilities (class axis 1)."""

    def forward(self, logp: np.ndarray, target: np.ndarray, reduction: str = "mean",
                ignore_index: int = -100) -> np.ndarray:
        lp = _class_last(logp)
        t = target.reshape(-1)
        check_labels(t, lp.shape[1], ignore_index, "nll_loss")
        self.shape, self.keep = logp.shape, t != ignore_index
        self.rows, self.cols = np.nonzero(self.keep)[0], t[self.keep]
        losses = np.zeros(t.shape, dtype=logp.dtype)
        losses[self.rows] = -lp[self.rows, self.cols]
        return self.reduce(losses.reshape(target.shape), reduction, int(self.keep.sum()))

    def backward(self, g: np.ndarray) -> tuple:
        up = np.asarray(self.upstream(g)).reshape(-1)
        grad = np.zeros((up.size, self.shape[1] if len(self.shape) > 1 else self.shape[0]),
                        dtype=up.dtype)
        grad[self.rows, self.cols] = -up[self.rows]
        return _restore(grad, self.shape), None


class CrossEntropy(_Loss):
    """Softmax cross-entropy from logits (class axis 1), integer or probability targets.

    With label smoothing ``s`` the target becomes (1 - s) y + s / C.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, reduction: str = "mean",
                label_smoothing: float = 0.0, ignore_index: int = -100) -> np.ndarray:
        z = _class_last(logits)
        n, classes = z.shape
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.shape, self.logp, self.soft = logits.shape, logp, target.dtype.kind == "f"
        s = self.smoothing = logits.dtype.type(label_smoothing)
        if self.soft:
            if target.shape != logits.shape:
                raise ValueError(f"cross_entropy: probability targets of shape {target.shape} "
                                 f"must match the logits' shape {logits.shape}")
            dist = _class_last(target).astype(logits.dtype, copy=False) * (1 - s) + s / classes
            self.dist, self.keep = dist, None
            losses = -(dist * logp).sum(axis=1)
            out_shape, count = target.shape[:1] + target.shape[2:], None
            if logits.ndim == 1:
                out_shape = ()
        else:
            t = target.reshape(-1)
            check_labels(t, classes, ignore_index, "cross_entropy")
            keep = t != ignore_index
            dist = np.zeros_like(logp)
            dist[np.nonzero(keep)[0], t[keep]] = 1 - s
            dist += s / classes
            dist[~keep] = 0
            self.dist, self.keep = dist, keep
            losses = -(dist * logp).sum(axis=1)
            out_shape, count = target.shape, int(keep.sum())
        return self.reduce(losses.reshape(out_shape), reduction, count)

    def backward(self, g: np.ndarray) -> tuple:
        up = np.asarray(self.upstream(g)).reshape(-1, 1)
        p = np.exp(self.logp)
        mass = self.dist.sum(axis=1, keepdims=True)  # 1, or 0 for ignored rows
        g_logits = _restore(up * (p * mass - self.dist), self.shape)
        g_target = None
        if self.soft and self.needs_input_grad[1]:
            g_target = _restore(-up * self.logp * (1 - self.smoothing), self.shape)
        return g_logits, g_target
