"""Classification losses on integer labels: the fused softmax cross-entropy and NLL.

Class axis 1, as torch: logits (N, C), (N, C, d1, ...) or (C,) with labels of
the shape without axis 1. ``F.cross_entropy`` routes the common case (valid
labels, no weights, no smoothing) to :class:`SoftmaxCrossEntropy` and writes
the other options as compositions of log-softmax and :class:`NLL`.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.ops import kernels
from chainrule.autograd.ops.loss import _Loss


def class_last(a: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C); (C,) -> (1, C); (N, C) unchanged."""
    if a.ndim == 1:
        return a[None, :]
    if a.ndim > 2:
        a = np.moveaxis(a, 1, -1)
    return a.reshape(-1, a.shape[-1])


def class_back(a2: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`class_last`."""
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


def _per_row(values: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``up`` (0-d, or one value per row) shaped to scale the rows of ``values``."""
    return up if up.ndim == 0 else up.reshape(-1, *(1,) * (values.ndim - 1))


class SoftmaxCrossEntropy(_Loss):
    """-log softmax(z)[y] for integer labels that are all classes, in one fused pass.

    Gradient: softmax(z) - onehot(y). The numba kernel runs on C-contiguous
    2-D logits; anything else, and the tested reference, is
    :func:`kernels.log_softmax_pick_reference`.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray,
                reduction: str = "mean") -> np.ndarray:
        z = class_last(logits)
        self.shape, self.labels = logits.shape, target.reshape(-1)
        if z.flags.c_contiguous and logits.ndim == 2 and z.shape[0]:
            logp, losses = np.empty_like(z), np.empty(z.shape[0], dtype=z.dtype)
            bad, total = kernels.log_softmax_pick(z, self.labels, logp, losses)
            if bad >= 0:
                raise ValueError(f"cross_entropy: label {self.labels[bad]} of row {bad} is not "
                                 f"a class in [0, {z.shape[1]})")
        else:
            logp, losses, total = kernels.log_softmax_pick_reference(z, self.labels)
        self.logp = logp
        return self.reduce(losses.reshape(target.shape), reduction, total=total)

    def backward(self, g: np.ndarray) -> tuple:
        grad = np.exp(self.logp)  # the softmax
        grad[np.arange(self.labels.size), self.labels] -= 1
        grad *= _per_row(grad, self.upstream(g))
        return class_back(grad, self.shape), None

    def jvp(self, t_logits: np.ndarray, t_target: np.ndarray | None = None) -> np.ndarray:
        t = class_last(t_logits)
        per_row = (np.exp(self.logp) * t).sum(axis=1) - t[np.arange(self.labels.size),
                                                          self.labels]
        return self.reduce_tangent(per_row.reshape(self.out_shape))

    @property
    def out_shape(self) -> tuple[int, ...]:
        return () if len(self.shape) == 1 else self.shape[:1] + self.shape[2:]


class NLL(_Loss):
    """-w[y_i] logp[i, y_i]: the weighted negative log-likelihood of log-probabilities.

    ``weight`` (one per class, default 1) scales each sample; labels equal to
    ``ignore_index`` count zero, and 'mean' divides by the sum of the counted
    samples' weights, as torch.
    """

    def forward(self, logp: np.ndarray, target: np.ndarray, reduction: str = "mean",
                ignore_index: int = -100, weight: np.ndarray | None = None) -> np.ndarray:
        lp = class_last(logp)
        self.shape = logp.shape
        labels = target.reshape(-1)
        keep = label_mask(labels, lp.shape[1], ignore_index, "nll_loss")
        self.cols = labels if keep is None else np.where(keep, labels, 0)
        w = np.ones(labels.size, lp.dtype) if weight is None else \
            np.asarray(weight, lp.dtype)[self.cols]
        if keep is not None:
            w = w * keep
        self.w = w
        losses = -lp[np.arange(labels.size), self.cols] * w
        counted = w.sum(dtype=np.float64) if weight is not None or keep is not None else None
        return self.reduce(losses.reshape(target.shape), reduction, counted)

    def backward(self, g: np.ndarray) -> tuple:
        classes = self.shape[1] if len(self.shape) > 1 else self.shape[0]
        grad = np.zeros((self.cols.size, classes), dtype=g.dtype)
        picked = -self.w * self.upstream(g).reshape(-1)
        picked[self.w == 0] = 0  # ignored rows get 0 even when the mean is nan, as torch
        grad[np.arange(self.cols.size), self.cols] = picked
        return class_back(grad, self.shape), None

    def jvp(self, t_logp: np.ndarray, t_target: np.ndarray | None = None) -> np.ndarray:
        t = class_last(t_logp)
        per_row = -t[np.arange(self.cols.size), self.cols] * self.w
        out_shape = () if len(self.shape) == 1 else self.shape[:1] + self.shape[2:]
        return self.reduce_tangent(per_row.reshape(out_shape))
