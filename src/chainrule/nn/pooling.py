"""Layers for (N, C, H, W) images: pooling, resampling and channel dropout (torch's names)."""

from __future__ import annotations

from collections.abc import Sequence

from chainrule import functional as F
from chainrule import random as cr_random
from chainrule.autograd.entry.conv import IntPair, pair
from chainrule.autograd.tensor import Tensor
from chainrule.nn import init
from chainrule.nn.module import Module


def _check_padding(name: str, kernel: tuple[int, int], padding: tuple[int, int]) -> None:
    if any(p > k // 2 for k, p in zip(kernel, padding, strict=True)):
        raise ValueError(f"{name}: padding {padding} should be at most half of the kernel "
                         f"size {kernel}")


class MaxPool2d(Module):
    """Maximum over each window, as ``torch.nn.MaxPool2d``; the gradient goes to the arg-max.

    Args:
        kernel_size: int or (kh, kw).
        stride: defaults to ``kernel_size``.
        padding: implicit -inf padding, at most half the kernel. Defaults to 0.
        dilation: spacing of the window's elements. Defaults to 1.

    Shape: (N, C, H, W) -> (N, C, floor((H + 2 p - d (k - 1) - 1) / s) + 1, ...).
    """

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None,
                 padding: IntPair = 0, dilation: IntPair = 1):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", "MaxPool2d")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", "MaxPool2d")
        self.padding = pair(padding, "padding", "MaxPool2d", 0)
        _check_padding("MaxPool2d", self.kernel_size, self.padding)
        self.dilation = pair(dilation, "dilation", "MaxPool2d")

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}")


class AvgPool2d(Module):
    """Mean over each window, as ``torch.nn.AvgPool2d``.

    Args:
        kernel_size: int or (kh, kw).
        stride: defaults to ``kernel_size``.
        padding: implicit zero padding, at most half the kernel. Defaults to 0.
        ceil_mode: only ``False``.
        count_include_pad: divide by the whole window (padding included).
            Defaults to ``True``.
        divisor_override: divide by this instead. Defaults to ``None``.
    """

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None,
                 padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None):
        super().__init__()
        if ceil_mode:
            raise ValueError("AvgPool2d: ceil_mode=True is not supported; pad the input instead")
        self.kernel_size = pair(kernel_size, "kernel_size", "AvgPool2d")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", "AvgPool2d")
        self.padding = pair(padding, "padding", "AvgPool2d", 0)
        _check_padding("AvgPool2d", self.kernel_size, self.padding)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad,
                            divisor_override=self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (Ho, Wo), as ``torch.nn.AdaptiveAvgPool2d``.

    Args:
        output_size: int or (Ho, Wo); ``None`` in the pair keeps the input's size.
    """

    def __init__(self, output_size: int | Sequence[int | None]):
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class Upsample(Module):
    """Resize images by ``F.interpolate``, as ``torch.nn.Upsample``.

    Args:
        size: output (H, W) (or an int for both); or
        scale_factor: multiplier of each side.
        mode: 'nearest' (default) or 'bilinear'.
        align_corners: bilinear only. Defaults to ``None`` (False).
    """

    def __init__(self, size: IntPair | None = None,
                 scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                 align_corners: bool | None = None):
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of size and scale_factor")
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"Upsample: mode must be 'nearest' or 'bilinear', got {mode!r}")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners = align_corners

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else \
            f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class Dropout2d(Module):
    """Zero whole channels of (N, C, H, W) with probability ``p`` while training.

    Neighbouring pixels are strongly correlated, so dropping single pixels
    barely regularises a convolution; dropping feature maps does (Tompson et
    al., 2015). Kept channels are scaled by 1 / (1 - p); eval mode is the identity.

    Args:
        p: probability of dropping a channel. Defaults to 0.5.
        generator: random generator (or seed) for the masks. Defaults to the global one.
    """

    def __init__(self, p: float = 0.5, generator: init.Generator = None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout2d: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self.generator = None if generator is None else cr_random.resolve(generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, training=self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
