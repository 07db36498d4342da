"""Entry points of the loss ops (``F.cross_entropy``, ``F.mse_loss``, ...), torch's options.

Each checks its arguments and calls one fused op; cross-entropy's options
(class weights, ignore_index, label smoothing, probability targets) are
compositions that leave the common case to the fused primitive.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd import ops
from chainrule.autograd.api import as_floating as _f
from chainrule.autograd.api import as_tensor as _t
from chainrule.autograd.ops.crossentropy import class_back, label_mask
from chainrule.autograd.ops.loss import check_reduction
from chainrule.autograd.tensor import Tensor


def _pair(input: Tensor, target: Any, op: str) -> tuple[Tensor, Tensor]:  # noqa: A002
    input = _f(input)
    target = _t(target, input)
    if target.dtype != input.dtype:
        target = Tensor._wrap(target.data.astype(input.dtype))
    if target.shape != input.shape:
        raise ValueError(f"{op}: target shape {target.shape} does not match input shape "
                         f"{input.shape}")
    return input, target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error (input - target)^2."""
    check_reduction(reduction)
    return ops.MSE.apply(*_pair(input, target, "mse_loss"), reduction=reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error |input - target|."""
    check_reduction(reduction)
    return ops.L1.apply(*_pair(input, target, "l1_loss"), reduction=reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target.

    Defaults: reduction='mean', delta=1.0 (torch's ``huber_loss``).
    """
    check_reduction(reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return ops.Huber.apply(*_pair(input, target, "huber_loss"), delta=delta,
                           reduction=reduction)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta: Huber(beta) / beta, L1 at beta=0.

    Defaults: reduction='mean', beta=1.0 (torch's ``smooth_l1_loss``).
    """
    check_reduction(reduction)
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    pair = _pair(input, target, "smooth_l1_loss")
    if beta == 0:
        return ops.L1.apply(*pair, reduction=reduction)
    return ops.Huber.apply(*pair, delta=beta, scale=1.0 / beta, reduction=reduction)


def kl_div(input: Tensor, target: Any, reduction: str = "mean",  # noqa: A002
           log_target: bool = False) -> Tensor:
    """KL divergence target (log target - input) of log-probabilities ``input``, as torch.

    0 where target = 0. ``log_target``: targets are log-probabilities t, the
    loss e^t (t - input). Reduction 'batchmean' (sum / batch size) is the true
    KL divergence per sample; 'mean' averages over every element (torch's
    default). Defaults: reduction='mean', log_target=False.
    """
    if reduction != "batchmean":
        check_reduction(reduction)
    return ops.KLDiv.apply(*_pair(input, target, "kl_div"), reduction=reduction,
                           log_target=log_target)


def binary_cross_entropy(input: Tensor, target: Any,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) on probabilities p; logs clamped at -100 like torch."""
    check_reduction(reduction)
    return ops.BinaryCrossEntropy.apply(*_pair(input, target, "binary_cross_entropy"),
                                        reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any,  # noqa: A002
                                     reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """BCE of sigmoid(input) from logits, stably: -(w y log sigma(x) + (1 - y) log(1 - sigma(x))).

    ``pos_weight`` w weighs the positive term, broadcast against the input
    (one per class on the last axis); None means 1. Defaults: reduction='mean'.
    """
    check_reduction(reduction)
    x, y = _pair(input, target, "binary_cross_entropy_with_logits")
    if pos_weight is not None:
        pos_weight = np.asarray(pos_weight.data if isinstance(pos_weight, Tensor) else
                                pos_weight, dtype=x.dtype)
        try:
            np.broadcast_shapes(pos_weight.shape, x.shape)
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: pos_weight of shape "
                             f"{pos_weight.shape} does not broadcast against input of shape "
                             f"{x.shape}") from None
    return ops.BinaryCrossEntropyWithLogits.apply(x, y, reduction=reduction,
                                                  pos_weight=pos_weight)


def _labels(target: Any, input: Tensor, op: str) -> Tensor:  # noqa: A002
    """Integer class labels of the input's shape without the class axis 1 (checked)."""
    t = target if isinstance(target, Tensor) else Tensor._wrap(np.asarray(target))
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: class labels must be integers, got {t.dtype}")
    shape = input.shape
    expected = shape[:1] + shape[2:] if len(shape) > 1 else ()
    if t.shape != expected:
        raise ValueError(f"{op}: labels of shape {t.shape} do not fit input of shape {shape} "
                         f"(expected {expected})")
    return t


def _class_weight(weight: Any, x: Tensor, op: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=x.dtype)
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    if w.shape != (classes,):
        raise ValueError(f"{op}: weight of shape {w.shape} must have one entry per class "
                         f"({classes},)")
    return w


def _loss_checks(input: Tensor, reduction: str, op: str) -> Tensor:  # noqa: A002
    check_reduction(reduction)
    x = _f(input)
    if not x.shape:
        raise ValueError(f"{op}: input must have a class axis, got a 0-d tensor")
    return x


def cross_entropy(input: Tensor, target: Any, weight: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from logits (classes on axis 1), stable; torch's options.

    ``target`` holds integer labels (the input's shape without axis 1) or
    class probabilities (the input's shape, e.g. from mixup). ``weight``: one
    per class; 'mean' then divides by the summed weights of the counted labels
    (by the sample count for probability targets). Labels equal to
    ``ignore_index`` do not count. Label smoothing s trains towards
    (1 - s) y + s / C. Integer labels without these options take the fused
    primitive. Defaults: weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0.
    """
    x = _loss_checks(input, reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    w = _class_weight(weight, x, "cross_entropy")
    values = target.data if isinstance(target, Tensor) else np.asarray(target)
    if values.dtype.kind == "f":
        target = _t(target, x)
        if target.shape != x.shape:
            raise ValueError(f"cross_entropy: probability targets of shape {target.shape} "
                             f"must match the logits' shape {x.shape}")
        s = label_smoothing
        q = target * (1.0 - s) + s / _classes(x) if s else target
        return _dense_cross_entropy(x, q, w, reduction, float(values.size // _classes(x)))
    y = _labels(target, x, "cross_entropy")
    keep = label_mask(y.data, _classes(x), ignore_index, "cross_entropy")
    if w is None and not label_smoothing and keep is None and y.data.size:
        return ops.SoftmaxCrossEntropy.apply(x, y, reduction=reduction)  # the common case
    if not label_smoothing:
        logp = ops.LogSoftmax.apply(x, axis=1 if x.ndim > 1 else 0)
        return ops.NLL.apply(logp, y, reduction=reduction, ignore_index=ignore_index, weight=w)
    q, counted = _smoothed_targets(x, y.data, keep, w, label_smoothing)
    return _dense_cross_entropy(x, Tensor._wrap(q), w, reduction, counted)


def _classes(x: Tensor) -> int:
    return x.shape[1] if x.ndim > 1 else x.shape[0]


def _smoothed_targets(x: Tensor, labels: np.ndarray, keep: np.ndarray | None,
                      w: np.ndarray | None, s: float) -> tuple[np.ndarray, float]:
    """(1 - s) onehot(y) + s / C as a dense target (0 on ignored rows), and the mean's
    denominator: the summed weights (or count) of the counted labels, as torch."""
    classes, flat = _classes(x), labels.reshape(-1)
    cols = flat if keep is None else np.where(keep.reshape(-1), flat, 0)
    q = np.full((flat.size, classes), s / classes, dtype=x.dtype)
    q[np.arange(flat.size), cols] += 1.0 - s
    kept = np.ones(flat.size, bool) if keep is None else keep.reshape(-1)
    q[~kept] = 0
    counted = float(kept.sum()) if w is None else float(w[cols][kept].sum())
    return class_back(q, x.shape), counted


def _dense_cross_entropy(x: Tensor, q: Tensor, w: np.ndarray | None, reduction: str,
                         denominator: float) -> Tensor:
    """Per sample -sum_c w_c q_c log p_c; 'mean' divides the sum by ``denominator``."""
    axis = 1 if x.ndim > 1 else 0
    if w is not None:
        q = q * Tensor._wrap(w.reshape((-1,) + (1,) * (x.ndim - 2)))
    losses = -(q * ops.LogSoftmax.apply(x, axis=axis)).sum(axis=axis)
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    if not denominator:  # nothing counted: nan, with zero gradients (as torch)
        return total * 0.0 + float("nan")
    return total * (1.0 / denominator)


def nll_loss(input: Tensor, target: Any, weight: Any = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood -w[y_i] input[i, y_i] of log-probabilities (classes on axis 1).

    ``weight``: one per class; 'mean' divides by the summed weights of the
    counted labels. Defaults: weight=None, ignore_index=-100, reduction='mean'.
    """
    x = _loss_checks(input, reduction, "nll_loss")
    y = _labels(target, x, "nll_loss")
    return ops.NLL.apply(x, y, reduction=reduction, ignore_index=ignore_index,
                         weight=_class_weight(weight, x, "nll_loss"))
