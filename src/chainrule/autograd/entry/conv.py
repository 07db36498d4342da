"""Entry points of the convolution family: convolution, pooling and resampling as plain
functions (``F.conv2d``, ``F.max_pool2d``, ...; the ops are in ``ops/conv.py`` and
``ops/pool.py``), and the argument helpers ``pair`` and ``_padding`` the conv layers share.

Names, arguments and defaults follow ``torch.nn.functional``; images are
(N, C, H, W) and sequences (N, C, L). ``chainrule.functional`` re-exports all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chainrule import random as _random
from chainrule.autograd.entry.args import as_floating as _f
from chainrule.autograd.ops import conv as _conv
from chainrule.autograd.ops import conv_fused as _conv_fused
from chainrule.autograd.ops import conv_transpose as _conv_transpose
from chainrule.autograd.ops import pool as _pool
from chainrule.autograd.tensor import Tensor

__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "conv1d", "conv2d", "conv2d_relu", "conv_transpose2d",
    "dropout2d", "interpolate", "max_pool2d",
]

IntPair = int | Sequence[int]


def _param(x: Tensor | None, like: Tensor) -> Tensor | None:
    if x is None or isinstance(x, Tensor):
        return x
    return like._other(x)


def pair(value: IntPair, name: str, op: str, low: int = 1) -> tuple[int, int]:
    """``value`` as (height, width): an int is used for both. Each must be an int >= ``low``."""
    values = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                               or v < low for v in values):
        raise ValueError(f"{op}: {name} must be an int >= {low} or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def _padding(padding: IntPair | str, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int], op: str) -> _conv.Padding:
    """((top, bottom), (left, right)) from an int, a pair, 'valid' or 'same' (stride 1 only)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a pair, got "
                             f"{padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        # The extra row or column of an odd total goes at the bottom / right, as in torch.
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)  # type: ignore[return-value]
    ph, pw = pair(padding, "padding", op, low=0)
    return (ph, ph), (pw, pw)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: IntPair = 1, padding: IntPair | str = 0, dilation: IntPair = 1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) with a (O, C / groups, kh, kw) weight, plus bias.

    y[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j] x_pad[n, g c, s y + d i, s x + d j]
    over the input channels c of output channel o's group. Output size per axis:
    floor((H + 2 p - d (k - 1) - 1) / s) + 1. ``padding`` is an int, a pair,
    'valid' (0) or 'same' (stride 1; odd totals pad one more at the bottom/right).
    Defaults: stride=1, padding=0, dilation=1, groups=1.
    """
    inputs, options = _conv2d_args(input, weight, bias, stride, padding, dilation, groups)
    return _conv.Conv2d.apply(*inputs, **options)


def conv2d_relu(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                stride: IntPair = 1, padding: IntPair | str = 0, dilation: IntPair = 1,
                groups: int = 1, pool: bool = False) -> Tensor:
    """relu(conv2d(...)), and with ``pool`` its 2x2 / stride-2 max pool, as one op: the
    values and gradients of the chain of ops, with less memory traffic (nn.Sequential runs
    Conv2d, ReLU[, MaxPool2d(2)] through it). Arguments and defaults as :func:`conv2d`."""
    inputs, options = _conv2d_args(input, weight, bias, stride, padding, dilation, groups)
    return _conv_fused.Conv2dReLU.apply(*inputs, **options, pool=bool(pool))


def _conv2d_args(x: Tensor, weight: Tensor, bias: Tensor | None, stride: IntPair,
                 padding: IntPair | str, dilation: IntPair, groups: int) -> tuple:
    """Checked op inputs and options of a conv2d call."""
    x = _f(x)
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be a 4-D tensor (O, C / groups, kh, kw), got "
                         f"shape {np.shape(getattr(weight, 'data', weight))}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    stride, dilation = pair(stride, "stride", "conv2d"), pair(dilation, "dilation", "conv2d")
    pads = _padding(padding, weight.shape[2:], stride, dilation, "conv2d")
    inputs = (x, _param(weight, x)) + (() if bias is None else (_param(bias, x),))
    return inputs, {"stride": stride, "padding": pads, "dilation": dilation,
                    "groups": int(groups)}


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: int = 1, padding: int | str = 0, dilation: int = 1,
           groups: int = 1) -> Tensor:
    """1-D cross-correlation of (N, C, L) with a (O, C / groups, k) weight: conv2d on height 1.

    Output length floor((L + 2 p - d (k - 1) - 1) / s) + 1. Defaults as ``conv2d``.
    """
    x = _f(input)
    if x.ndim != 3 or not isinstance(weight, Tensor) or weight.ndim != 3:
        raise ValueError(f"conv1d: expected input (N, C, L) and weight (O, C / groups, k), got "
                         f"shapes {x.shape} and {np.shape(getattr(weight, 'data', weight))}")
    pad = padding if isinstance(padding, str) else (0, pair(padding, "padding", "conv1d", 0)[0])
    y = conv2d(x.unsqueeze(2), _param(weight, x).unsqueeze(2), bias, stride=(1, stride),
               padding=pad, dilation=(1, dilation), groups=groups)
    return y.squeeze(2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                     groups: int = 1, dilation: IntPair = 1) -> Tensor:
    """Transposed convolution (the gradient of conv2d with respect to its input), as torch.

    ``weight`` is (C, O / groups, kh, kw); output size per axis
    (H - 1) s - 2 p + d (k - 1) + output_padding + 1, with output_padding < s or < d.
    Defaults: stride=1, padding=0, output_padding=0, groups=1, dilation=1.
    """
    x = _f(input)
    op = "conv_transpose2d"
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    ph, pw = pair(padding, "padding", op, low=0)
    extra = pair(output_padding, "output_padding", op, low=0)
    if any(e >= max(s, d) for e, s, d in zip(extra, stride, dilation, strict=True)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than stride {stride} "
                         f"or dilation {dilation}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    inputs = (x, _param(weight, x)) + (() if bias is None else (_param(bias, x),))
    return _conv_transpose.ConvTranspose2d.apply(
        *inputs, stride=stride, padding=((ph, ph), (pw, pw)), output_padding=extra,
        dilation=dilation, groups=int(groups))


def _pool_args(op: str, kernel_size: IntPair, stride: IntPair | None,
               padding: IntPair) -> tuple[tuple[int, int], tuple[int, int], _conv.Padding]:
    kernel = pair(kernel_size, "kernel_size", op)
    strides = kernel if stride is None or stride == () else pair(stride, "stride", op)
    ph, pw = pair(padding, "padding", op, low=0)
    return kernel, strides, ((ph, ph), (pw, pw))


def max_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None,  # noqa: A002
               padding: IntPair = 0, dilation: IntPair = 1) -> Tensor:
    """Maximum over each (dilated) kernel_size window; the gradient goes to the arg-max.

    Padding counts as -inf and may be at most half the kernel. Output size as
    conv2d's. Defaults: stride=kernel_size, padding=0, dilation=1.
    """
    kernel, strides, pads = _pool_args("max_pool2d", kernel_size, stride, padding)
    return _pool.MaxPool2d.apply(_f(input), kernel=kernel, stride=strides, padding=pads,
                                 dilation=pair(dilation, "dilation", "max_pool2d"))


def avg_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None,  # noqa: A002
               padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each kernel_size window (zero padding, at most half the kernel).

    The divisor is the window size with ``count_include_pad`` (the default), else
    the number of non-padding elements, or ``divisor_override``. Defaults:
    stride=kernel_size, padding=0, count_include_pad=True. ``ceil_mode`` is not supported.
    """
    if ceil_mode:
        raise ValueError("avg_pool2d: ceil_mode=True is not supported; pad the input instead")
    if divisor_override is not None and (isinstance(divisor_override, bool) or
                                         not isinstance(divisor_override, int) or
                                         divisor_override < 1):
        raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got "
                         f"{divisor_override!r}")
    kernel, strides, pads = _pool_args("avg_pool2d", kernel_size, stride, padding)
    return _pool.AvgPool2d.apply(_f(input), kernel=kernel, stride=strides, padding=pads,
                                 count_include_pad=bool(count_include_pad),
                                 divisor=divisor_override)


def adaptive_avg_pool2d(input: Tensor, output_size: int | Sequence[int | None]) -> Tensor:  # noqa: A002
    """Average pooling to a fixed (Ho, Wo): output cell i averages input rows
    [floor(i H / Ho), ceil((i + 1) H / Ho)), likewise columns. ``None`` keeps that size."""
    x = _f(input)
    _pool._check_input("adaptive_avg_pool2d", x.data)
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    sizes = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    ho, wo = pair(sizes, "output_size", "adaptive_avg_pool2d")
    return _pool.Resample2d.apply(x, rows=_pool.adaptive_matrix(x.shape[2], ho),
                                  cols=_pool.adaptive_matrix(x.shape[3], wo))


def _scales(x: Tensor, size: IntPair | None,
            scale_factor: float | Sequence[float] | None) -> tuple[tuple[int, int], list[float]]:
    """Output size and the source/destination scale of each axis, as torch works them out."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    h, w = x.shape[2:]
    if size is not None:
        out = pair(size, "size", "interpolate")
        return out, [h / out[0], w / out[1]]
    factors = [scale_factor] * 2 if isinstance(scale_factor, (int, float)) else list(scale_factor)
    if len(factors) != 2 or any(not isinstance(f, (int, float)) or f <= 0 for f in factors):
        raise ValueError(f"interpolate: scale_factor must be a positive number or a pair, got "
                         f"{scale_factor!r}")
    out = (math.floor(h * factors[0]), math.floor(w * factors[1]))
    if min(out) < 1:
        raise ValueError(f"interpolate: scale_factor {scale_factor} makes input {x.shape} empty")
    return out, [1.0 / f for f in factors]


def interpolate(input: Tensor, size: IntPair | None = None,  # noqa: A002
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None) -> Tensor:
    """Resize (N, C, H, W) images to ``size`` or by ``scale_factor`` (torch's index rules).

    mode 'nearest': source index floor(dst * scale); 'bilinear': linear in each
    axis, source (dst + 0.5) * scale - 0.5 clamped at 0, or dst (H - 1) / (Ho - 1)
    with align_corners=True. scale is H / Ho for ``size``, 1 / scale_factor otherwise.
    Defaults: mode='nearest', align_corners=None (False for bilinear).
    """
    x = _f(input)
    _pool._check_input("interpolate", x.data)
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"interpolate: mode must be 'nearest' or 'bilinear', got {mode!r}")
    if align_corners is not None and mode == "nearest":
        raise ValueError("interpolate: align_corners only applies to mode='bilinear'")
    (ho, wo), scales = _scales(x, size, scale_factor)
    h, w = x.shape[2:]
    if mode == "nearest":
        rows, cols = _pool.nearest_matrix(h, ho, scales[0]), _pool.nearest_matrix(w, wo, scales[1])
    else:
        corners = bool(align_corners)
        rows = _pool.bilinear_matrix(h, ho, scales[0], corners)
        cols = _pool.bilinear_matrix(w, wo, scales[1], corners)
    return _pool.Resample2d.apply(x, rows=rows, cols=cols)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              generator: np.random.Generator | None = None) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability ``p``, scale the rest by 1 / (1 - p).

    The identity when not training. Defaults: p=0.5, training=True.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: probability must be in [0, 1], got {p}")
    x = _f(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected (N, C, H, W) or (C, H, W), got shape {x.shape}")
    if not training or p == 0:
        return x
    shape = x.shape[:-2] + (1, 1)
    keep = _random.resolve(generator).random(shape, dtype=np.float32) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return x * Tensor._wrap((keep * x.dtype.type(scale)).astype(x.dtype, copy=False))
