"""The image layer kinds a config can name: convolutions, pooling, batch normalisation over
channels, channel dropout, reshape.

Samples flow as (C, H, W) (``(C, L)`` for conv1d); ``{type = "reshape", shape = [1, 28,
28]}`` turns 28x28 images (``data.flatten = false``) into one-channel ones. Sizes follow
torch: out = floor((n + pad_before + pad_after - dilation (k - 1) - 1) / stride) + 1.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from chainrule.autograd.entry.conv import _padding, pair
from chainrule.autograd.ops.conv import out_size
from chainrule.nn.batchnorm import BatchNorm2d
from chainrule.nn.conv import Conv1d, Conv2d
from chainrule.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, Dropout2d, MaxPool2d
from chainrule.nn.registry import LayerKind, Option, register
from chainrule.nn.reshape import Reshape

IntPair = int | tuple[int, int]
Shape = tuple[int, ...]


def _check_rank(name: str, in_shape: Shape, rank: int) -> None:
    if len(in_shape) != rank:
        wanted = "(C, H, W)" if rank == 3 else "(C, L)"
        raise ValueError(f"{name} needs samples of shape {wanted}, got {in_shape}; add "
                         f"{{type = \"reshape\", shape = [...]}} before it")


def _window_shape(o: dict[str, Any], in_shape: Shape, channels: int, op: str) -> Shape:
    """(channels, *spatial sizes) after a window of the options' kernel, stride, padding."""
    dims = len(in_shape) - 1
    widen = (lambda v: (1, v) if isinstance(v, int) else (1, *v)) if dims == 1 else \
        (lambda v: v)
    kernel = pair(widen(o["kernel_size"]), "kernel_size", op)
    stride = kernel if o.get("stride") is None else pair(widen(o["stride"]), "stride", op)
    dilation = pair(widen(o.get("dilation", 1)), "dilation", op)
    padding = o.get("padding", 0)
    pads = _padding(padding if isinstance(padding, str) else widen(padding), kernel, stride,
                    dilation, op)
    spatial = ((1,) if dims == 1 else ()) + tuple(in_shape[1:])
    sizes = [out_size(n, k, s, p, d) for n, k, s, p, d in
             zip(spatial, kernel, stride, pads, dilation, strict=True)]
    if min(sizes) < 1:
        raise ValueError(f"{op}: the window does not fit samples of shape {in_shape}")
    return (channels, *sizes[2 - dims:])


CONV_OPTIONS = {
    "out_channels": Option(int, gt=0), "kernel_size": Option(IntPair, 3),
    "stride": Option(IntPair, 1), "padding": Option(IntPair | Literal["same", "valid"], 0),
    "dilation": Option(IntPair, 1), "groups": Option(int, 1, gt=0), "bias": Option(bool, True)}


def _conv(o: dict[str, Any], s: Shape, cls: type, rank: int) -> Any:
    _check_rank(cls.__name__, s, rank)
    return cls(s[0], o["out_channels"], o["kernel_size"], stride=o["stride"],
               padding=o["padding"], dilation=o["dilation"], groups=o["groups"], bias=o["bias"])


register(LayerKind(
    "conv2d", Conv2d, options=CONV_OPTIONS, build=lambda o, s: _conv(o, s, Conv2d, 3),
    output_shape=lambda o, s: _window_shape(o, s, o["out_channels"], "conv2d"),
    roles={"weights"}))
register(LayerKind(
    "conv1d", Conv1d, options={**CONV_OPTIONS, "kernel_size": Option(int, 3, gt=0),
                               "stride": Option(int, 1, gt=0), "dilation": Option(int, 1, gt=0),
                               "padding": Option(int | Literal["same", "valid"], 0)},
    build=lambda o, s: _conv(o, s, Conv1d, 2),
    output_shape=lambda o, s: _window_shape(o, s, o["out_channels"], "conv1d"),
    roles={"weights"}))


def _pool(cls: type, o: dict[str, Any], s: Shape) -> Any:
    _check_rank(cls.__name__, s, 3)
    return cls(**o)


POOL_OPTIONS = {"kernel_size": Option(IntPair, 2), "stride": Option(IntPair | None, None),
                "padding": Option(IntPair, 0)}
register(LayerKind(
    "maxpool2d", MaxPool2d, options={**POOL_OPTIONS, "dilation": Option(IntPair, 1)},
    build=lambda o, s: _pool(MaxPool2d, o, s),
    output_shape=lambda o, s: _window_shape(o, s, s[0], "maxpool2d")))
register(LayerKind(
    "avgpool2d", AvgPool2d, options={**POOL_OPTIONS, "count_include_pad": Option(bool, True)},
    build=lambda o, s: _pool(AvgPool2d, o, s),
    output_shape=lambda o, s: _window_shape(o, s, s[0], "avgpool2d")))
register(LayerKind(
    "adaptive_avgpool2d", AdaptiveAvgPool2d, options={"output_size": Option(IntPair, 1)},
    build=lambda o, s: _pool(AdaptiveAvgPool2d, o, s),
    output_shape=lambda o, s: (s[0], *pair(o["output_size"], "output_size", "adaptive_avgpool2d"))))
def _batch_norm(o: dict[str, Any], s: Shape) -> BatchNorm2d:
    _check_rank("BatchNorm2d", s, 3)
    return BatchNorm2d(s[0], eps=o["eps"], momentum=o["momentum"], affine=o["affine"])


register(LayerKind(
    "batchnorm2d", BatchNorm2d,
    options={"eps": Option(float, 1e-5, gt=0), "momentum": Option(float, 0.1, ge=0, le=1),
             "affine": Option(bool, True)},
    build=_batch_norm, roles={"norm"}))
register(LayerKind(
    "dropout2d", Dropout2d, options={"p": Option(float, 0.5, ge=0, lt=1)},
    roles={"passthrough"}))
register(LayerKind(
    "reshape", Reshape, options={"shape": Option(tuple[int, ...])},
    build=lambda o, s: _reshape(o["shape"], s), output_shape=lambda o, s: _reshaped(o["shape"], s),
    roles={"passthrough"}))


def _reshaped(shape: tuple[int, ...], in_shape: Shape) -> Shape:
    size, known = math.prod(in_shape), math.prod(n for n in shape if n != -1)
    out = tuple(size // known if n == -1 else n for n in shape)
    if math.prod(out) != size:
        raise ValueError(f"reshape to {tuple(shape)} does not fit samples of shape {in_shape}")
    return out


def _reshape(shape: tuple[int, ...], in_shape: Shape) -> Reshape:
    _reshaped(shape, in_shape)
    return Reshape(shape)
