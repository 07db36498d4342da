"""Loss functions as modules, each a thin wrapper over its ``chainrule.functional`` form.

``reduction`` is 'mean' (default), 'sum' or 'none', as in torch; it is checked
when the module is built. Call as ``loss_fn(input, target)``: every module's forward is
``function(input, target, reduction=..., **options)``, its options being the attributes
named in ``options``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from chainrule import functional as F
from chainrule.autograd.ops.loss import check_reduction
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module


def _array(x: Any) -> np.ndarray | None:
    """Class or positive weights as a plain array (None stays None)."""
    return None if x is None else np.asarray(x.data if isinstance(x, Tensor) else x)


class _Loss(Module):
    function: ClassVar[Callable[..., Tensor]]  # the functional form
    options: ClassVar[tuple[str, ...]] = ()  # attributes passed to it as keywords
    more_reductions: ClassVar[tuple[str, ...]] = ()  # accepted besides mean, sum, none

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in self.more_reductions:
            check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return type(self).function(input, target, reduction=self.reduction,
                                   **{name: getattr(self, name) for name in self.options})

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class MSELoss(_Loss):
    """Mean squared error: (input - target)^2, reduced. Defaults: reduction='mean'."""

    function = F.mse_loss


class L1Loss(_Loss):
    """Mean absolute error: |input - target|, reduced. Defaults: reduction='mean'."""

    function = F.l1_loss


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities: -(y log p + (1 - y) log(1 - p)).

    Prefer :class:`BCEWithLogitsLoss`, which is stable. Defaults: reduction='mean'.
    """

    function = F.binary_cross_entropy


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(input), computed stably from logits.

    Args:
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        pos_weight: weight of the positive term, broadcast against the input
            (one per class on the last axis). Defaults to None (1).
    """

    function, options = F.binary_cross_entropy_with_logits, ("pos_weight",)

    def __init__(self, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(reduction)
        self.pos_weight = _array(pos_weight)


class HuberLoss(_Loss):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta). Defaults: reduction='mean',
    delta=1.0."""

    function, options = F.huber_loss, ("delta",)

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta. Defaults: reduction='mean',
    beta=1.0."""

    function, options = F.smooth_l1_loss, ("beta",)

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = beta


class KLDivLoss(_Loss):
    """KL divergence target (log target - input) of log-probabilities, as torch.

    Args:
        reduction: 'mean' (every element), 'batchmean' (sum / batch size: the
            true KL per sample), 'sum' or 'none'. Defaults to 'mean'.
        log_target: targets are log-probabilities. Defaults to False.
    """

    function, options = F.kl_div, ("log_target",)
    more_reductions = ("batchmean",)

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__(reduction)
        self.log_target = log_target


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (classes on axis 1), fused and stable.

    Args:
        weight: one weight per class (see ``F.cross_entropy``). Defaults to None.
        ignore_index: labels equal to it do not count. Defaults to -100.
        reduction: 'mean', 'sum' or 'none'. Defaults to 'mean'.
        label_smoothing: s in [0, 1]; the target becomes (1 - s) y + s / C.
            Defaults to 0.
    """

    function, options = F.cross_entropy, ("weight", "ignore_index", "label_smoothing")

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing}")
        self.weight = _array(weight)
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

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

    function, options = F.nll_loss, ("weight", "ignore_index")

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = _array(weight), ignore_index
