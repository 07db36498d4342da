"""Loss functions as modules, each a thin wrapper over its ``chainrule.functional`` form.

``reduction`` is 'mean' (default), 'sum' or 'none', as in torch; it is checked
when the module is built. Call as ``loss_fn(input, target)``.
"""

from __future__ import annotations

from typing import Any

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

    Defaults: reduction='mean'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (classes on axis 1), fused and stable.

    Args:
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        label_smoothing: s in [0, 1]; the target becomes (1 - s) y + s / C.
            Defaults to 0.
        ignore_index: labels equal to it do not count. Defaults to -100.
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0,
                 ignore_index: int = -100):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing}")
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, reduction=self.reduction,
                               label_smoothing=self.label_smoothing,
                               ignore_index=self.ignore_index)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(p for p in parts if p)


class NLLLoss(_Loss):
    """Negative log-likelihood -input[i, target_i] of log-probabilities (classes on axis 1).

    Args:
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        ignore_index: labels equal to it do not count. Defaults to -100.
    """

    def __init__(self, reduction: str = "mean", ignore_index: int = -100):
        super().__init__(reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, reduction=self.reduction,
                          ignore_index=self.ignore_index)
