"""Pooling and resampling of (N, C, H, W) images: max, average, and separable linear maps.

Max and average pooling read their windows through the same strided
(C, kh, kw, N, Ho, Wo) view as the convolutions' im2col and send gradients
back with the same col2im, so they share the channels-first layout: an input
that is an NCHW view of (C, N, H, W) memory (a convolution's output) is read
without a transpose. Adaptive average pooling and interpolation (nearest,
bilinear) are both y = A_h x A_w^T with constant matrices, one op.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.ops import conv_kernels
from chainrule.autograd.ops.conv import Padding, Pair, col2im, out_size, windows


def _check_input(op: str, x: np.ndarray) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got shape {x.shape}")


def check_window(op: str, x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding,
                 dilation: Pair) -> None:
    """Raise unless the pooling window fits: padding at most half the kernel (torch's rule)."""
    _check_input(op, x)
    for k, p in zip(kernel, padding, strict=True):
        if max(p) > k // 2:
            raise ValueError(f"{op}: padding {tuple(q[0] for q in padding)} should be at most "
                             f"half of the kernel size {kernel}")
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation, strict=True):
        if (size + sum(p) - d * (k - 1) - 1) // s + 1 < 1:
            raise ValueError(f"{op}: kernel {kernel} is larger than the padded input "
                             f"{tuple(x.shape[2:])} with padding {padding}")


class MaxPool2d(Function):
    """y = max over each window (padding never wins); the gradient goes to the arg-max.

    Ties go to the first maximum in row-major window order and a NaN wins, as
    in torch; overlapping windows add their gradients. Large float input runs
    the numba kernels, the rest :func:`max_pool_reference` and a col2im.
    """

    def forward(self, x: np.ndarray, *, kernel: Pair, stride: Pair, padding: Padding,
                dilation: Pair) -> np.ndarray:
        check_window("max_pool2d", x, kernel, stride, padding, dilation)
        self.geometry = (x.shape[1], x.shape[0]) + x.shape[2:], kernel, stride, dilation, padding
        xc = x.transpose(1, 0, 2, 3)
        self.fast = conv_kernels.usable(x.reshape(-1))  # copied to (C, N, H, W) if need be
        if not self.fast:
            out, self.index = max_pool_reference(xc, kernel, stride, dilation, padding)
            return out.transpose(1, 0, 2, 3)
        xc = np.ascontiguousarray(xc)
        shape = (xc.shape[0], xc.shape[1]) + tuple(
            out_size(s, k, st, p, d) for s, k, st, p, d in
            zip(xc.shape[2:], kernel, stride, padding, dilation, strict=True))
        out = np.empty(shape, dtype=x.dtype)
        self.index = np.empty(shape, dtype=_index_dtype(kernel))
        self.pair = kernel == stride == (2, 2) and dilation == (1, 1) and not any(sum(padding, ()))
        if self.pair:
            conv_kernels.max_pool2x2_forward(xc, 0, out, self.index)
        else:
            conv_kernels.max_pool_forward(xc, *kernel, *stride, *dilation, padding[0][0],
                                          padding[1][0], out, self.index)
        return out.transpose(1, 0, 2, 3)

    def backward(self, g: np.ndarray) -> np.ndarray:
        shape, kernel, stride, dilation, padding = self.geometry
        gc = g.transpose(1, 0, 2, 3)
        if self.fast and self.pair:
            dx = np.empty(shape, dtype=g.dtype)
            unpool2x2(np.ascontiguousarray(gc), self.index, 0, dx)
            return dx.transpose(1, 0, 2, 3)
        if self.fast:
            dx = np.zeros(shape, dtype=g.dtype)
            conv_kernels.max_pool_backward(np.ascontiguousarray(gc), self.index, kernel[1],
                                           *stride, *dilation, padding[0][0], padding[1][0], dx)
            return dx.transpose(1, 0, 2, 3)
        return unpool_reference(gc, self.index, shape, kernel, stride, dilation,
                                padding).transpose(1, 0, 2, 3)

    def jvp(self, t: np.ndarray) -> np.ndarray:
        shape, kernel, stride, dilation, padding = self.geometry
        return pick_argmax(t.transpose(1, 0, 2, 3), self.index, kernel, stride, dilation,
                           padding).transpose(1, 0, 2, 3)


def unpool_reference(gc: np.ndarray, index: np.ndarray, shape: tuple[int, int, int, int],
                     kernel: Pair, stride: Pair, dilation: Pair, padding: Padding) -> np.ndarray:
    """The gradient of max pooling in NumPy: each window's gradient of ``gc`` (C, N, Ho, Wo)
    added at its arg-max ``index`` into a new (C, N, H, W) array of ``shape``."""
    cols = np.zeros((shape[0], kernel[0] * kernel[1]) + gc.shape[1:], dtype=gc.dtype)
    np.put_along_axis(cols, index[:, None].astype(np.intp), gc[:, None], axis=1)
    return col2im(cols, shape, kernel, stride, dilation, padding)


def pick_argmax(tc: np.ndarray, index: np.ndarray, kernel: Pair, stride: Pair,
                dilation: Pair, padding: Padding) -> np.ndarray:
    """Each window's element of ``tc`` (C, N, H, W) at its ``index`` (row-major window
    position): (C, N, Ho, Wo), the tangent of max pooling."""
    view = windows(tc, kernel, stride, dilation, padding)
    c, kh, kw, n, ho, wo = view.shape
    flat = view.reshape(c, kh * kw, n, ho, wo)
    return np.take_along_axis(flat, index[:, None].astype(np.intp), axis=1)[:, 0]


def unpool2x2(gc: np.ndarray, index: np.ndarray, first: int, dx: np.ndarray) -> None:
    """dx (C, n, H, W), images ``first`` .. ``first`` + n: the 2x2 / stride-2 pooled gradient
    ``gc`` (C, N, H // 2, W // 2) at each window's arg-max ``index``, 0 elsewhere (the
    numba kernel; contiguous float input)."""
    dx[:, :, 2 * gc.shape[2]:] = 0  # the odd last row or column no window covers
    dx[:, :, :, 2 * gc.shape[3]:] = 0
    conv_kernels.max_pool2x2_backward(gc, index, first, gc.dtype.type(0), dx)


def _index_dtype(kernel: Pair) -> type:
    return np.uint8 if kernel[0] * kernel[1] <= 256 else np.int32


def max_pool_reference(xc: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
                       padding: Padding) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of xc (C, N, H, W) in NumPy: a running maximum over the kernel offsets.

    Returns (out (C, N, Ho, Wo), index of the maximum's row-major window position).
    """
    view = windows(xc, kernel, stride, dilation, padding, -np.inf)
    out = view[:, 0, 0].copy()
    index = np.zeros(out.shape, dtype=_index_dtype(kernel))
    for k in range(1, kernel[0] * kernel[1]):
        v = view[:, k // kernel[1], k % kernel[1]]
        better = (v > out) | np.isnan(v)
        np.copyto(out, v, where=better)
        index[better] = k
    return out, index


class AvgPool2d(Function):
    """y = sum over each window / divisor; dx spreads g / divisor back over each window.

    The divisor is the window size (``count_include_pad=True``, torch's
    default), the number of non-padding elements in the window, or ``divisor``.
    """

    def forward(self, x: np.ndarray, *, kernel: Pair, stride: Pair, padding: Padding,
                count_include_pad: bool, divisor: int | None) -> np.ndarray:
        one = (1, 1)
        check_window("avg_pool2d", x, kernel, stride, padding, one)
        view = windows(x.transpose(1, 0, 2, 3), kernel, stride, one, padding)
        total = view.sum(axis=(1, 2))
        if divisor is not None:
            div = np.asarray(divisor, dtype=x.dtype)
        elif count_include_pad:
            div = np.asarray(kernel[0] * kernel[1], dtype=x.dtype)
        else:
            ones = np.ones((1, 1) + x.shape[2:], dtype=x.dtype)
            div = windows(ones, kernel, stride, one, padding).sum(axis=(1, 2))[0, 0]
        self.geometry = (x.shape[1], x.shape[0]) + x.shape[2:], kernel, stride, padding
        self.div = div
        return (total / div).transpose(1, 0, 2, 3)

    def backward(self, g: np.ndarray) -> np.ndarray:
        shape, kernel, stride, padding = self.geometry
        share = g.transpose(1, 0, 2, 3) / self.div
        cols = np.broadcast_to(share[:, None, None], (shape[0],) + kernel + share.shape[1:])
        return col2im(np.ascontiguousarray(cols), shape, kernel, stride, (1, 1),
                      padding).transpose(1, 0, 2, 3)

    def jvp(self, t: np.ndarray) -> np.ndarray:
        shape, kernel, stride, padding = self.geometry
        view = windows(t.transpose(1, 0, 2, 3), kernel, stride, (1, 1), padding)
        return (view.sum(axis=(1, 2)) / self.div).transpose(1, 0, 2, 3)


class Resample2d(Function):
    """y = A_h x A_w^T over the last two axes, with constant matrices A_h (Ho, H), A_w (Wo, W).

    Adaptive average pooling and nearest / bilinear interpolation are all of
    this form; dx = A_h^T g A_w.
    """

    def forward(self, x: np.ndarray, *, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        _check_input("resample", x)
        self.rows, self.cols = rows.astype(x.dtype), cols.astype(x.dtype)
        return np.matmul(np.matmul(self.rows, x), self.cols.T)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return np.matmul(np.matmul(self.rows.T, g), self.cols)

    def jvp(self, t: np.ndarray) -> np.ndarray:
        return np.matmul(np.matmul(self.rows, t), self.cols.T)


def adaptive_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) averaging matrix: row i averages [floor(i size/out), ceil((i+1) size/out))."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return inside / (end - start)[:, None]


def nearest_matrix(size: int, out: int, scale: float) -> np.ndarray:
    """(out, size) 0/1 matrix picking source index min(floor(dst * scale), size - 1)."""
    src = np.minimum(np.floor(np.arange(out) * scale).astype(np.int64), size - 1)
    m = np.zeros((out, size))
    m[np.arange(out), src] = 1.0
    return m


def bilinear_matrix(size: int, out: int, scale: float, align_corners: bool) -> np.ndarray:
    """(out, size) linear-interpolation weights along one axis, with torch's source index rule.

    align_corners: src = dst (size - 1) / (out - 1); otherwise
    src = max((dst + 0.5) scale - 0.5, 0), scale = size / out (or 1 / scale_factor).
    """
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        src = dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    lam = src - i0
    m = np.zeros((out, size))
    rows = np.arange(out)
    np.add.at(m, (rows, i0), 1.0 - lam)
    np.add.at(m, (rows, i1), lam)
    return m
