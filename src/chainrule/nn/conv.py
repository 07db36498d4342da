"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d (torch's names, shapes and init)."""

from __future__ import annotations

import math

import numpy as np

from chainrule import functional as F
from chainrule.autograd.entry.conv import IntPair, pair
from chainrule.autograd.tensor import Tensor
from chainrule.nn import init
from chainrule.nn.layers import _check_positive, _torch_default_init
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class _ConvNd(Module):
    """Shared set-up: checks, the weight (and bias) with torch's default init, the repr."""

    _dims = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair, padding: IntPair | str, dilation: IntPair, groups: int,
                 bias: bool, padding_mode: str, generator: init.Generator):
        super().__init__()
        name = type(self).__name__
        _check_positive(name, in_channels=in_channels, out_channels=out_channels, groups=groups)
        for channels, label in ((in_channels, "in_channels"), (out_channels, "out_channels")):
            if channels % groups:
                raise ValueError(f"{name}: {label}={channels} is not divisible by "
                                 f"groups={groups}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        self.kernel_size = self._tuple(kernel_size, "kernel_size", 1)
        self.stride = self._tuple(stride, "stride", 1)
        self.dilation = self._tuple(dilation, "dilation", 1)
        self.padding = padding if isinstance(padding, str) else \
            self._tuple(padding, "padding", 0)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.padding_mode = padding_mode
        shape = (in_channels, out_channels // groups) if self._transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty(shape + self.kernel_size, dtype=np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def _tuple(self, value: IntPair, name: str, low: int) -> tuple[int, ...]:
        if self._dims == 1:
            value = value if isinstance(value, (int, np.integer)) else tuple(value)
            if isinstance(value, tuple) and len(value) == 1:
                value = value[0]
            return (pair(value, name, type(self).__name__, low)[0],)
        return pair(value, name, type(self).__name__, low)

    def reset_parameters(self, generator: init.Generator = None) -> None:
        """torch's default: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
        fan_in = weight.shape[1] * prod(kernel_size)."""
        fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
        _torch_default_init(self.weight, self.bias, fan_in, generator)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        defaults = {"padding": (0,) * self._dims, "dilation": (1,) * self._dims, "groups": 1}
        for key, default in defaults.items():
            value = getattr(self, key)
            if value != default:
                text += f", {key}={value!r}" if isinstance(value, str) else f", {key}={value}"
        extra = getattr(self, "output_padding", (0,) * self._dims)
        if extra != (0,) * self._dims:
            text += f", output_padding={extra}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) of (N, C_in, H, W) images, as ``torch.nn.Conv2d``.

    y = F.conv2d(x, weight, bias, stride, padding, dilation, groups), output
    (N, C_out, H_out, W_out) with H_out = floor((H + 2 p - d (k - 1) - 1) / s) + 1.

    Args:
        in_channels, out_channels: C_in and C_out (both divisible by ``groups``).
        kernel_size: int or (kh, kw).
        stride, padding, dilation: ints or pairs; padding may be 'same' or 'valid'.
            Defaults: 1, 0, 1.
        groups: split channels into this many independent convolutions. Defaults to 1.
        bias: learn a per-channel bias. Defaults to ``True``.
        padding_mode: only 'zeros'.
        generator: random generator (or seed) for the initial values.

    Attributes:
        weight: (C_out, C_in / groups, kh, kw); weight and bias drawn from
            U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C_in / groups * kh * kw, as torch.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair | str = 0, dilation: IntPair = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", *,
                 generator: init.Generator = None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv1d(_ConvNd):
    """1-D convolution of (N, C_in, L) sequences, as ``torch.nn.Conv1d`` (arguments as Conv2d).

    Attributes:
        weight: (C_out, C_in / groups, k), torch's default init.
    """

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int | str = 0, dilation: int = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", *,
                 generator: init.Generator = None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, generator)

    def forward(self, x: Tensor) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0],
                        self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution, as ``torch.nn.ConvTranspose2d`` (upsampling in decoders).

    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, groups, bias,
            dilation: as Conv2d (padding an int or a pair).
        output_padding: extra rows/columns at the bottom/right, smaller than the
            stride or the dilation. Defaults to 0.

    Attributes:
        weight: (C_in, C_out / groups, kh, kw); torch's init with
            fan_in = C_out / groups * kh * kw.
    """

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                 groups: int = 1, bias: bool = True, dilation: IntPair = 1,
                 padding_mode: str = "zeros", *, generator: init.Generator = None):
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, generator)
        self.output_padding = pair(output_padding, "output_padding", "ConvTranspose2d", 0)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)

