"""Losses as fused ops: stable formulas, one backward and one jvp each.

Reduction 'mean' | 'sum' | 'none' as torch. Regression (MSE, L1, Huber / smooth
L1), binary (BCE, BCE with logits), KL divergence; the classification losses
on integer labels live in ``crossentropy.py``.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function

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

    def reduce_tangent(self, t: np.ndarray) -> np.ndarray:
        """Forward mode: the per-element tangents reduced as the forward reduced the losses."""
        if self.reduction == "none":
            return t
        total = t.sum()
        if self.reduction == "sum":
            return total
        return total / t.dtype.type(self.count) if self.count else total * np.nan


class _Difference(_Loss):
    """A loss of d = a - b: its derivative in a is ``slope`` (scaled), in b minus that."""

    def slope(self, scale: np.ndarray) -> np.ndarray:
        """``scale`` times the derivative of each per-element loss in a."""
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> tuple:
        ga = self.slope(self.upstream(g))
        return ga, (-ga if self.needs_input_grad[1] else None)

    def jvp(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        return self.reduce_tangent(self.slope(ta - tb))


class MSE(_Difference):
    """(a - b)^2; the derivative is 2 (a - b)."""

    def forward(self, a: np.ndarray, b: np.ndarray, reduction: str = "mean") -> np.ndarray:
        self.diff = a - b
        return self.reduce(self.diff * self.diff, reduction)

    def slope(self, scale: np.ndarray) -> np.ndarray:
        return 2 * scale * self.diff


class L1(_Difference):
    """|a - b|; the gradient is sign(a - b)."""

    def forward(self, a: np.ndarray, b: np.ndarray, reduction: str = "mean") -> np.ndarray:
        diff = a - b
        self.sign = np.sign(diff)
        return self.reduce(np.abs(diff), reduction)

    def slope(self, scale: np.ndarray) -> np.ndarray:
        return scale * self.sign


class Huber(_Difference):
    """scale * huber_delta(a - b): 0.5 d^2 for |d| < delta, else delta (|d| - 0.5 delta).

    scale=1 is torch's ``huber_loss``; delta=beta, scale=1/beta its ``smooth_l1_loss``.
    Gradient: scale * clip(d, -delta, delta).
    """

    def forward(self, a: np.ndarray, b: np.ndarray, delta: float, scale: float = 1.0,
                reduction: str = "mean") -> np.ndarray:
        d = a - b
        delta_, scale_ = d.dtype.type(delta), d.dtype.type(scale)
        ad = np.abs(d)
        losses = np.where(ad < delta_, d * d * d.dtype.type(0.5), delta_ * (ad - delta_ / 2))
        self.clipped = np.clip(d, -delta_, delta_) * scale_
        return self.reduce(losses * scale_, reduction)

    def slope(self, scale: np.ndarray) -> np.ndarray:
        return scale * self.clipped


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

    def jvp(self, tp: np.ndarray, ty: np.ndarray) -> np.ndarray:
        p = self.p
        dp = (p - self.y) / np.maximum((1 - p) * p, p.dtype.type(1e-12))
        return self.reduce_tangent(dp * tp + (self.log_q - self.log_p) * ty)


class _Sloped(_Loss):
    """A loss whose derivatives in both inputs, per element, come from ``_slopes()``."""

    def _slopes(self) -> tuple[np.ndarray, np.ndarray]:
        """(dl/dx, dl/dy) of each per-element loss."""
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> tuple:
        up = self.upstream(g)
        dx, dy = self._slopes()
        return up * dx, (up * dy if self.needs_input_grad[1] else None)

    def jvp(self, tx: np.ndarray, ty: np.ndarray) -> np.ndarray:
        dx, dy = self._slopes()
        return self.reduce_tangent(dx * tx + dy * ty)


class BinaryCrossEntropyWithLogits(_Sloped):
    """BCE on logits x with positive weight w: w y softplus(-x) + (1 - y) softplus(x).

    Written as (1 - y) x + (1 + (w - 1) y) (log(1 + e^-|x|) + max(-x, 0)), finite
    for any finite x (torch's formula). ``pos_weight`` broadcasts against x
    (one per class on the last axis); None means w = 1.
    """

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean",
                pos_weight: np.ndarray | None = None) -> np.ndarray:
        self.x, self.y = x, y
        self.pos_weight = None if pos_weight is None else np.asarray(pos_weight, x.dtype)
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # softplus(-x)
        if self.pos_weight is None:
            losses = (1 - y) * x + softplus_neg
        else:
            self.softplus_neg = softplus_neg
            losses = (1 - y) * x + (1 + (self.pos_weight - 1) * y) * softplus_neg
        return self.reduce(losses, reduction)

    def _slopes(self) -> tuple[np.ndarray, np.ndarray]:
        """(dl/dx, dl/dy): (sigma(x) - y) and -x without a positive weight."""
        x, y, w = self.x, self.y, self.pos_weight
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        if w is None:
            return sig - y, -x
        # log(1 + e^x) = softplus(-x) + x
        return sig * (1 + (w - 1) * y) - w * y, w * self.softplus_neg - (self.softplus_neg + x)


class KLDiv(_Sloped):
    """KL divergence of log-probabilities x from targets: y (log y - x), 0 where y = 0.

    With ``log_target`` the targets are log-probabilities t: e^t (t - x).
    Reduction 'batchmean' divides the sum by the batch size (axis 0), as torch.
    """

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean",
                log_target: bool = False) -> np.ndarray:
        self.x, self.y, self.log_target = x, y, log_target
        if log_target:
            self.p = np.exp(y)
            losses = self.p * (y - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.log_y = np.where(y > 0, np.log(np.where(y > 0, y, 1)), 0).astype(x.dtype)
            losses = np.where(y > 0, y * (self.log_y - x), 0).astype(x.dtype, copy=False)
        if reduction == "batchmean":
            return self.reduce(losses, "mean", count=x.shape[0] if x.ndim else 1)
        return self.reduce(losses, reduction)

    def _slopes(self) -> tuple[np.ndarray, np.ndarray]:
        """(dl/dx, dl/dy)."""
        if self.log_target:
            return -self.p, self.p * (self.y - self.x + 1)
        return -self.y, np.where(self.y > 0, self.log_y - self.x + 1, 0).astype(self.x.dtype)
