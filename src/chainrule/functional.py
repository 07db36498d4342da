"""The ops as plain functions: activations, softmax, linear, dropout and the losses.

Names and arguments follow ``torch.nn.functional``; axes are ``axis=``.

Layer: the entry points of ``autograd``'s op families gathered as ``F`` (the conv family
in ``autograd/entry/conv.py``); imports ``autograd`` and ``random`` only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import random as _random
from chainrule.autograd import ops
from chainrule.autograd.api import as_floating as _f
from chainrule.autograd.api import as_tensor as _t
from chainrule.autograd.api import concatenate, stack, take_along_axis, where
from chainrule.autograd.axes import pick_axis
from chainrule.autograd.entry.activation import *  # noqa: F403
from chainrule.autograd.entry.activation import __all__ as _activation
from chainrule.autograd.entry.conv import (
    adaptive_avg_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv2d_relu,
    conv_transpose2d,
    dropout2d,
    interpolate,
    max_pool2d,
)
from chainrule.autograd.entry.einsum import einsum
from chainrule.autograd.entry.elementwise import *  # noqa: F403
from chainrule.autograd.entry.elementwise import __all__ as _elementwise
from chainrule.autograd.entry.index import *  # noqa: F403
from chainrule.autograd.entry.index import __all__ as _index
from chainrule.autograd.entry.logical import *  # noqa: F403
from chainrule.autograd.entry.logical import __all__ as _logical
from chainrule.autograd.entry.pad import pad
from chainrule.autograd.entry.rearrange import *  # noqa: F403
from chainrule.autograd.entry.rearrange import __all__ as _rearrange
from chainrule.autograd.entry.scan import *  # noqa: F403
from chainrule.autograd.entry.scan import __all__ as _scan
from chainrule.autograd.entry.sort import *  # noqa: F403
from chainrule.autograd.entry.sort import __all__ as _sort
from chainrule.autograd.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from chainrule.autograd.ops.norm import channel_axes
from chainrule.autograd.tensor import Tensor

__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "clip", "concatenate", "conv1d", "conv2d",
    "conv2d_relu", "conv_transpose2d", "cross_entropy", "dropout", "dropout2d", "elu", "huber_loss",
    "interpolate", "kl_div", "l1_loss", "leaky_relu", "linear", "log_softmax", "logsumexp",
    "max_pool2d", "maximum", "maxout", "minimum", "mse_loss", "nll_loss", "pad", "prelu",
    "relu", "sigmoid", "smooth_l1_loss", "softmax", "softplus", "stack", "step",
    "take_along_axis", "tanh", "where",
    "einsum", *_activation, *_elementwise, *_index, *_logical, *_rearrange, *_scan, *_sort,
]


# ************************************************************* activations


def sigmoid(x: Tensor) -> Tensor:
    """sigma(x) = 1 / (1 + e^-x)."""
    return ops.Sigmoid.apply(_f(x))


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x)."""
    return ops.Tanh.apply(_f(x))


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return ops.ReLU.apply(_f(x))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope`` * x otherwise. Defaults: negative_slope=0.01."""
    return ops.LeakyReLU.apply(_f(x), negative_slope=negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, weight * x otherwise; ``weight`` has one slope or one per channel (axis 1)."""
    return ops.PReLU.apply(_f(x), _t(weight))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise. Defaults: alpha=1.0."""
    return ops.ELU.apply(_f(x), alpha=alpha)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as torch)."""
    return ops.Softplus.apply(_f(x), beta=beta, threshold=threshold)


def step(x: Tensor, value_at_zero: float = 1.0) -> Tensor:
    """The perceptron's Heaviside step: 1 for x > 0, 0 for x < 0, ``value_at_zero`` at 0.

    Its gradient is zero. Defaults: value_at_zero=1.0 (deck 004's 1[x >= 0]).
    """
    return ops.Step.apply(_f(x), value_at_zero=value_at_zero)


def maxout(x: Tensor, pieces: int, axis: int = -1) -> Tensor:
    """Max over consecutive groups of ``pieces`` units along ``axis`` (Goodfellow et al., 2013).

    The axis of size n becomes n / pieces; unit j is max(x[j*pieces : (j+1)*pieces]).
    """
    x = _t(x)
    axis = axis % x.ndim
    n = x.shape[axis]
    if pieces < 1 or n % pieces:
        raise ValueError(f"maxout: axis {axis} has {n} units, not a multiple of pieces={pieces}")
    grouped = x.reshape(x.shape[:axis] + (n // pieces, pieces) + x.shape[axis + 1:])
    return grouped.max(axis=axis + 1)


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """e^x / sum(e^x) along ``axis`` (torch: ``dim``), computed from x - max(x) for stability."""
    axis = axis if dim is None else pick_axis("softmax", None if axis == -1 else axis, dim)
    return ops.Softmax.apply(_f(x), axis=axis)


def log_softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``axis`` (torch: ``dim``)."""
    axis = axis if dim is None else pick_axis("log_softmax", None if axis == -1 else axis, dim)
    return ops.LogSoftmax.apply(_f(x), axis=axis)


def logsumexp(x: Tensor, axis: int | tuple[int, ...] | None = None,
              keepdims: bool = False, **torch_names: Any) -> Tensor:
    """log(sum(exp(x))) over ``axis`` (torch: ``dim``, ``keepdim``), stably."""
    return _t(x).logsumexp(axis, keepdims, **torch_names)


def maximum(a: Tensor, b: Any) -> Tensor:
    """Elementwise maximum (gradient split evenly on ties)."""
    return _t(a).maximum(b)


def minimum(a: Tensor, b: Any) -> Tensor:
    """Elementwise minimum (gradient split evenly on ties)."""
    return _t(a).minimum(b)


def clip(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Clamp into [min, max]."""
    return _t(x).clip(min, max)


# ************************************************************* layers


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight^T + bias, fused; weight is (out_features, in_features) as in torch."""
    x = _f(x)
    if bias is None:
        return ops.Linear.apply(x, _t(weight, x))
    return ops.Linear.apply(x, _t(weight, x), _t(bias, x))


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inverted: bool = True,
            generator: np.random.Generator | None = None) -> Tensor:
    """Zero each unit with probability ``p`` (Srivastava et al., 2014).

    Inverted dropout (the default) scales the kept units by 1 / (1 - p) during
    training and is the identity at test time. ``inverted=False`` gives the
    vanilla form: units are only dropped in training, and at test time the
    output is scaled by (1 - p) instead.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    x = _f(x)
    if not training:
        return x if inverted or p == 0 else x * (1.0 - p)
    if p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = _random.resolve(generator).random(x.shape, dtype=np.float32) >= p
    scale = 1.0 / (1.0 - p) if inverted else 1.0
    return x * Tensor._wrap((keep * x.dtype.type(scale)).astype(x.dtype, copy=False))


def batch_norm(input: Tensor, running_mean: np.ndarray | None,  # noqa: A002
               running_var: np.ndarray | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1 (torch's ``F.batch_norm``).

    y = weight * (x - mean) / sqrt(var + eps) + bias per channel. In training
    (or without running statistics) mean and var are the batch's own (biased
    variance), and the running statistics, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat`` with the
    unbiased variance. Otherwise the running statistics normalise. Serves
    (N, C), (N, C, L) and (N, C, H, W). Defaults: training=False, momentum=0.1,
    eps=1e-5.
    """
    x = _f(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input needs a batch and a channel axis (N, C, ...), got "
                         f"shape {x.shape}")
    channels = x.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        if value is not None and np.shape(value) != (channels,):
            raise ValueError(f"batch_norm: {name} of shape {np.shape(value)} does not fit "
                             f"{channels} channels (input shape {x.shape})")
    batch_stats = training or running_mean is None or running_var is None
    if batch_stats:
        mean, var = _batch_moments(x.data, training, running_mean, running_var, momentum)
    else:
        mean, var = running_mean, running_var
    affine = () if weight is None and bias is None else (
        _t(np.ones(channels) if weight is None else weight, x),
        _t(np.zeros(channels) if bias is None else bias, x))
    return ops.BatchNorm.apply(x, *affine, mean=mean, var=var, eps=eps, batch_stats=batch_stats)


def _batch_moments(x: np.ndarray, training: bool, running_mean: np.ndarray | None,
                   running_var: np.ndarray | None,
                   momentum: float) -> tuple[np.ndarray, np.ndarray]:
    """Batch mean and biased variance; in training also update the running statistics."""
    axes = channel_axes(x.ndim)
    n = x.size // x.shape[1]
    if training and n < 2:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {x.shape}")
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    if training and running_mean is not None:
        running_mean[...] = (1 - momentum) * running_mean + momentum * mean
    if training and running_var is not None:
        running_var[...] = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    return mean, var
