"""Losses as fused ops: stable formulas, one backward each, reduction 'mean' | 'sum' | 'none'."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import kernels

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


class _Loss(Function):
    """Per-element losses reduced by ``reduction``; ``backward`` scales by the reduction."""

    def reduce(self, losses: np.ndarray, reduction: str, count: int | None = None,
               total: float | None = None) -> np.ndarray:
        """Reduce ``losses``; ``total`` is their sum when a kernel already has it."""
        self.reduction = reduction
        self.count = losses.size if count is None else count
        if reduction == "none":
            return losses
        if total is None:
            total = losses.sum()
        if reduction == "sum":
            return np.array(total, dtype=losses.dtype)
        if self.count == 0:  # nothing counted: the mean is nan, as in torch
            return np.array(np.nan, dtype=losses.dtype)
        # A kernel's float64 total is divided before it is rounded to the dtype.
        return np.array(total / self.count, dtype=losses.dtype)

    def upstream(self, g: np.ndarray) -> np.ndarray:
        """The gradient reaching each per-element loss: a 0-d array unless reduction='none'.

        A 0-d array broadcasts against the per-element derivative for free.
        """
        if self.reduction != "mean":
            return g
        if self.count == 0:
            return g * g.dtype.type(np.nan)
        return g / g.dtype.type(self.count)


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


def label_mask(target: np.ndarray, classes: int, ignore_index: int, op: str) -> np.ndarray | None:
    """Which integer labels count (None: all of them); raise if a counted one is not a class."""
    if target.size == 0:
        return None
    lo, hi = target.min(), target.max()
    if 0 <= lo and hi < classes and not lo <= ignore_index <= hi:
        return None  # the common case, decided by two reductions
    keep = target != ignore_index
    valid = target[keep]
    bad = valid[(valid < 0) | (valid >= classes)]
    if bad.size:
        raise ValueError(f"{op}: labels must lie in [0, {classes}), got {bad[:5].tolist()}"
                         f"{' ...' if bad.size > 5 else ''}")
    return None if keep.all() else keep


class _Labelled(_Loss):
    """Shared bookkeeping of integer labels: the picked entry of each row, the ignored rows."""

    def pick(self, lp: np.ndarray, target: np.ndarray, ignore_index: int, op: str) -> np.ndarray:
        """-lp[i, y_i] for every row (0 where the label is ignored)."""
        t = target.reshape(-1)
        self.keep = keep = label_mask(t, lp.shape[1], ignore_index, op)
        self.cols = t if keep is None else np.where(keep, t, 0)
        picked = -lp[self.rows, self.cols]
        if keep is not None:
            picked[~keep] = 0
        return picked

    @property
    def rows(self) -> np.ndarray:
        """0, 1, ..., N - 1: the row of each label (made when needed: forward may not)."""
        return np.arange(self.cols.size)

    def counted(self) -> int:
        return self.cols.size if self.keep is None else int(self.keep.sum())

    def scale_rows(self, grad: np.ndarray, up: np.ndarray) -> np.ndarray:
        """Multiply each row of ``grad`` by its upstream gradient; zero the ignored rows."""
        grad *= up if up.ndim == 0 else up.reshape(-1, 1)
        if self.keep is not None:
            grad[~self.keep] = 0
        return grad


class NLL(_Labelled):
    """-logp[i, y_i]: the negative log-likelihood of log-probabilities (class axis 1)."""

    def forward(self, logp: np.ndarray, target: np.ndarray, reduction: str = "mean",
                ignore_index: int = -100) -> np.ndarray:
        lp = _class_last(logp)
        self.shape = logp.shape
        losses = self.pick(lp, target, ignore_index, "nll_loss")
        return self.reduce(losses.reshape(target.shape), reduction, self.counted())

    def backward(self, g: np.ndarray) -> tuple:
        grad = np.zeros((self.cols.size, self.shape[1] if len(self.shape) > 1 else self.shape[0]),
                        dtype=g.dtype)
        grad[self.rows, self.cols] = -1
        return _restore(self.scale_rows(grad, self.upstream(g)), self.shape), None


class CrossEntropy(_Labelled):
    """Softmax cross-entropy from logits (class axis 1), integer or probability targets.

    With label smoothing ``s`` the target becomes (1 - s) y + s / C, so the loss
    is -(1 - s) logp[y] - (s / C) sum(logp) and its gradient softmax - target.
    Integer labels never build the dense target matrix.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, reduction: str = "mean",
                label_smoothing: float = 0.0, ignore_index: int = -100) -> np.ndarray:
        z = _class_last(logits)
        logp, losses, total = self._fused(z, target, ignore_index)
        if logp is None:
            shifted = z - z.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.shape, self.logp = logits.shape, logp
        s = self.smoothing = logits.dtype.type(label_smoothing) if label_smoothing else 0
        classes = z.shape[1]
        if target.dtype.kind == "f":
            if target.shape != logits.shape:
                raise ValueError(f"cross_entropy: probability targets of shape {target.shape} "
                                 f"must match the logits' shape {logits.shape}")
            self.dist = _class_last(target).astype(logits.dtype, copy=False) * (1 - s) + \
                s / classes
            losses = -(self.dist * logp).sum(axis=1)
            out_shape = () if logits.ndim == 1 else target.shape[:1] + target.shape[2:]
            return self.reduce(losses.reshape(out_shape), reduction)
        self.dist = None
        if losses is None:
            losses = self.pick(logp, target, ignore_index, "cross_entropy")
        if s:
            smooth = logp.sum(axis=1) * (s / classes)
            if self.keep is not None:
                smooth[~self.keep] = 0
            losses, total = losses * (1 - s) - smooth, None
        return self.reduce(losses.reshape(target.shape), reduction, self.counted(), total)

    def _fused(self, z: np.ndarray, target: np.ndarray, ignore_index: int) -> tuple:
        """(logp, losses, their sum) from one kernel pass for a batch of integer labels, else
        three Nones.

        A label outside [0, C) (ignored or invalid) sends the batch down the
        general path, which skips or reports it; so does an ``ignore_index``
        that names a class, and an empty batch.
        """
        if target.dtype.kind not in "iu" or z.ndim != 2 or target.ndim != 1 or \
                z.dtype.kind != "f" or not z.flags.c_contiguous or not z.shape[0] or \
                0 <= ignore_index < z.shape[1]:
            return None, None, None
        logp, losses = np.empty_like(z), np.empty(z.shape[0], dtype=z.dtype)
        bad, total = kernels.log_softmax_pick(z, target, logp, losses)
        if bad >= 0:
            return None, None, None
        self.keep, self.cols = None, target
        return logp, losses, total

    def backward(self, g: np.ndarray) -> tuple:
        up = self.upstream(g)
        grad = np.exp(self.logp)  # the softmax
        if self.dist is None:
            s = self.smoothing
            grad[self.rows, self.cols] -= 1 - s
            if s:
                grad -= s / grad.shape[1]
            return _restore(self.scale_rows(grad, up), self.shape), None
        up = up if up.ndim == 0 else up.reshape(-1, 1)
        mass = self.dist.sum(axis=1, keepdims=True)  # 1 unless the targets are unnormalised
        g_logits = _restore(up * (grad * mass - self.dist), self.shape)
        g_target = None
        if self.needs_input_grad[1]:
            g_target = _restore(-up * self.logp * (1 - self.smoothing), self.shape)
        return g_logits, g_target
