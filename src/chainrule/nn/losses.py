"""Loss functions as modules, each a thin wrapper over its ``chainrule.functional`` form.

``reduction`` is 'mean' (default), 'sum' or 'none', as in torch; it is checked
when the module is built. Call as ``loss_fn(input, target)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import functional as F
from chainrule.autograd.ops.loss import check_reduction
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    """Mean squared error: (input - target)^2, reduced. Defaults: reduction='mean'."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: |input - target|, reduced. Defaults: reduction='mean'."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities: -(y log p + (1 - y) log(1 - p)).

    Prefer :class:`BCEWithLogitsLoss`, which is stable. Defaults: reduction='mean'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(input), computed stably from logits.

    Args:
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        pos_weight: weight of the positive term, broadcast against the input
            (one per class on the last axis). Defaults to None (1).
    """

    def __init__(self, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(reduction)
        self.pos_weight = None if pos_weight is None else np.asarray(
            pos_weight.data if isinstance(pos_weight, Tensor) else pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class HuberLoss(_Loss):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta). Defaults: reduction='mean',
    delta=1.0."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta. Defaults: reduction='mean',
    beta=1.0."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(Module):
    """KL divergence target (log target - input) of log-probabilities, as torch.

    Args:
        reduction: 'mean' (every element), 'batchmean' (sum / batch size: the
            true KL per sample), 'sum' or 'none'. Defaults to 'mean'.
        log_target: targets are log-probabilities. Defaults to False.
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__()
        if reduction != "batchmean":
            check_reduction(reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


def _class_weights(weight: Any) -> np.ndarray | None:
    return None if weight is None else np.asarray(
        weight.data if isinstance(weight, Tensor) else weight)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (classes on axis 1), fused and stable.

    Args:
        weight: one weight per class (see ``F.cross_entropy``). Defaults to None.
        ignore_index: labels equal to it do not count. Defaults to -100.
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        label_smoothing: s in [0, 1]; the target becomes (1 - s) y + s / C.
            Defaults to 0.
    """

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing}")
        self.weight = _class_weights(weight)
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(p for p in parts if p)


class NLLLoss(_Loss):
    """Negative log-likelihood -w[y_i] input[i, y_i] of log-probabilities (classes on axis 1).

    Args:
        weight: one weight per class. Defaults to None.
        ignore_index: labels equal to it do not count. Defaults to -100.
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
    """

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = _class_weights(weight), ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)
