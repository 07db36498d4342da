"""Convolutions: conv2d (conv1d is conv2d on a height-1 image) and the transposed conv2d.

The API is NCHW like torch. Inside, the ops work channels first, then batch,
(C, N, H, W): the im2col matrix of (C*kh*kw, N*Ho*Wo) columns is one strided
copy, the convolution is one GEMM per group, and the output comes back as an
NCHW-shaped view of (C, N, Ho, Wo) memory, so the next convolution, ReLU or
pooling reads it with no transpose (measured on the MNIST CNN at batch 64:
111 ms a step against 131 for NCHW with a GEMM per image). The gradient with
respect to the input scatter-adds the gradient columns back (col2im), one
vectorised add per kernel offset, which beat the "full convolution with the
flipped kernel" form (13.7 against 23.6 ms for the dX GEMM). A 3x3 convolution
with unit steps and enough channels runs as Winograd's F(2x2, 3x3) instead
(winograd.py: 2.25x fewer multiply-adds; a whole MNIST CNN step 0.83x the
im2col one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from chainrule.autograd.function import Function
from chainrule.autograd.ops import conv_kernels, parallel, winograd, workspace

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]  # ((top, bottom), (left, right))


def out_size(size: int, kernel: int, stride: int, pad: Pair, dilation: int) -> int:
    """floor((size + pad_before + pad_after - dilation (kernel - 1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


# Columns per GEMM are cut into blocks of whole images of at most this many bytes, so
# that the im2col copy, the GEMMs reading it and the col2im of the gradient columns
# work on a block that stays in the cache. Measured on the MNIST CNN's 32->64 conv at
# batch 64 (forward + backward, one thread, quiet machine): 30.3 ms in blocks of 4 images
# (2.7 MB) against 37.4 ms for the whole batch's 42 MB at once. With two threads, whole
# training steps of the MNIST CNN: 44-46 ms for blocks of 1.4-3.1 MB, 48.7 for 0.7 MB,
# 50.4 for 6 MB, 53.1 for 12 MB (medians of 6 interleaved rounds).
BLOCK_BYTES = 2 * 2**20


# Below this many bytes of columns a conv runs on the calling thread alone (handing
# work to another thread costs tens of microseconds).
PARALLEL_BYTES = 2**18


def image_blocks(n: int, bytes_per_image: int) -> list[slice]:
    """Consecutive slices of the ``n`` images, each at most :data:`BLOCK_BYTES` (one image
    at least)."""
    step = max(1, BLOCK_BYTES // max(1, bytes_per_image))
    return [slice(a, min(a + step, n)) for a in range(0, n, step)]


def _padded(xc: np.ndarray, padding: Padding, fill: float,
            owner: object | None = None) -> np.ndarray:
    """``xc`` (C, N, H, W) surrounded by ``fill`` (a workspace array reserved for ``owner``;
    without one, valid until the next take)."""
    (pt, pb), (pl, pr) = padding
    if not (pt or pb or pl or pr):
        return xc
    c, n, h, w = xc.shape
    xp = workspace.take((c, n, h + pt + pb, w + pl + pr), xc.dtype, owner)
    xp[:, :, :pt] = fill
    xp[:, :, pt + h:] = fill
    xp[:, :, pt:pt + h, :pl] = fill
    xp[:, :, pt:pt + h, pl + w:] = fill
    xp[:, :, pt:pt + h, pl:pl + w] = xc
    return xp


def windows(xc: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, padding: Padding,
            fill: float = 0.0) -> np.ndarray:
    """The strided (C, kh, kw, N, Ho, Wo) view of every window of ``xc`` (C, N, H, W).

    Element [c, i, j, n, y, x] is the padded input at channel c, image n, row
    y*stride + i*dilation, column x*stride + j*dilation. The view reads a
    scratch array when there is padding: copy it before the next ``workspace.take``.
    """
    return _window_view(_padded(xc, padding, fill), kernel, stride, dilation)


def _window_view(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    c, n, hp, wp = xp.shape
    ho = (hp - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    sc, sn, sh, sw = xp.strides
    return as_strided(xp, (c, kernel[0], kernel[1], n, ho, wo),
                      (sc, sh * dilation[0], sw * dilation[1], sn, sh * stride[0], sw * stride[1]),
                      writeable=False)


def columns(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, images: slice,
            out: np.ndarray, grid: Pair | None = None) -> np.ndarray:
    """Write the im2col matrix of images ``images`` of the padded ``xp`` (C, N, Hp, Wp) into
    ``out`` (contiguous, C*kh*kw*n*Ho*Wo elements at least) and return it as the
    (C*kh*kw, n*Ho*Wo) matrix, rows ordered (c, i, j).

    ``grid`` keeps only the first (Ho, Wo) output positions (the transposed
    convolution's output padding adds rows no window of its input reaches).
    """
    view = _window_view(xp, kernel, stride, dilation)[:, :, :, images]
    if grid is not None:
        view = view[..., :grid[0], :grid[1]]
    cols = out.reshape(-1)[:view.size].reshape(view.shape)
    if stride == dilation == (1, 1) and conv_kernels.usable(cols, xp):
        conv_kernels.im2col_unit(xp, images.start, cols)
    else:
        np.copyto(cols, view)
    return cols.reshape(view.shape[0] * kernel[0] * kernel[1], -1)


def im2col(xc: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, padding: Padding,
           owner: object | None = None, grid: Pair | None = None) -> np.ndarray:
    """The (C*kh*kw, N*Ho*Wo) im2col matrix of ``xc`` (C, N, H, W), rows ordered (c, i, j).

    A 1x1 kernel with stride 1 and no padding needs no copy. Otherwise the
    columns go into a workspace array reserved for ``owner`` (see :func:`columns`).
    """
    c, n = xc.shape[:2]
    if kernel == (1, 1) and stride == (1, 1) and padding == ((0, 0), (0, 0)) \
            and xc.flags.c_contiguous and grid is None:
        return xc.reshape(c, -1)
    xp = _padded(xc, padding, 0.0)
    shape = _window_view(xp, kernel, stride, dilation).shape
    if grid is not None:
        shape = shape[:4] + grid
    return columns(xp, kernel, stride, dilation, slice(0, n),
                   workspace.take(shape, xc.dtype, owner), grid)


def col2im_add(cols: np.ndarray, dx: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
               padding: Padding, images: slice, grid: Pair | None = None) -> None:
    """The adjoint of :func:`columns`: scatter-add the (C*kh*kw, n*Ho*Wo) columns of images
    ``images`` into ``dx`` (C, N, H, W).

    ``grid`` is the (Ho, Wo) the columns cover (default: every window that fits).
    The numba kernel runs for large float input, else :func:`col2im_reference`.
    """
    c, _, h, w = dx.shape
    n = images.stop - images.start
    (pt, pb), (pl, pr) = padding
    ho, wo = grid if grid is not None else (
        (size + sum(p) - d * (k - 1) - 1) // s + 1
        for size, p, d, k, s in zip((h, w), padding, dilation, kernel, stride, strict=True))
    cols6 = cols.reshape(c, kernel[0], kernel[1], n, ho, wo)
    if not conv_kernels.usable(cols6, dx):
        dx[:, images] += col2im_reference(cols6, (c, n, h, w), stride, dilation, padding)
    elif stride == dilation == (1, 1) and padding == ((0, 0), (0, 0)):
        conv_kernels.col2im_unit(cols6, images.start, dx)
    else:
        conv_kernels.col2im(cols6, *stride, *dilation, pt, pl, images.start, dx)


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], kernel: Pair, stride: Pair,
           dilation: Pair, padding: Padding, grid: Pair | None = None) -> np.ndarray:
    """The adjoint of :func:`im2col`: (C*kh*kw, N*Ho*Wo) columns scatter-added into a new
    (C, N, H, W) array (see :func:`col2im_add`)."""
    out = np.zeros(shape, dtype=cols.dtype)
    col2im_add(cols, out, kernel, stride, dilation, padding, slice(0, shape[1]), grid)
    return out


def col2im_reference(cols6: np.ndarray, shape: tuple[int, int, int, int], stride: Pair,
                     dilation: Pair, padding: Padding) -> np.ndarray:
    """col2im in NumPy: one vectorised add of cols6[:, i, j] (C, N, Ho, Wo) per kernel offset."""
    c, n, h, w = shape
    (pt, pb), (pl, pr) = padding
    kh, kw, ho, wo = cols6.shape[1], cols6.shape[2], cols6.shape[4], cols6.shape[5]
    out = np.zeros((c, n, h + pt + pb, w + pl + pr), dtype=cols6.dtype)
    for i in range(kh):
        top = i * dilation[0]
        rows = slice(top, top + stride[0] * (ho - 1) + 1, stride[0])
        for j in range(kw):
            left = j * dilation[1]
            out[:, :, rows, left:left + stride[1] * (wo - 1) + 1:stride[1]] += cols6[:, i, j]
    return out[:, :, pt:pt + h, pl:pl + w]


def grouped_matmul(a: np.ndarray, b: np.ndarray, groups: int,
                   out: np.ndarray | None = None) -> np.ndarray:
    """Block-diagonal product ``a`` (G, m, k) @ ``b`` (G, k, n) -> (G, m, n): a GEMM per group."""
    if groups == 1:
        res = np.matmul(a[0], b[0], out=None if out is None else out[0])
        return res[None]
    return np.matmul(a, b, out=out)


def cnhw_matrix(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) as the (C, N*H*W) matrix of its channels (free for a CNHW-backed view)."""
    return np.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(x.shape[1], -1)


def check_arguments(op: str, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, groups: int,
                    in_axis: int) -> None:
    """Raise, naming the shapes, unless x (N, C, H, W), w and b fit one another (the weight's
    channel axis ``in_axis`` is 1 for conv2d, 0 for the transposed conv)."""
    if x.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D weight, got shape {w.shape}")
    channels = w.shape[1] * groups if in_axis == 1 else w.shape[0]
    if x.shape[1] != channels:
        raise ValueError(f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but weight "
                         f"of shape {w.shape} with groups={groups} expects {channels}")
    if w.shape[0] % groups:
        raise ValueError(f"{op}: weight of shape {w.shape}: {w.shape[0]} is not divisible by "
                         f"groups={groups}")
    out_channels = w.shape[0] if in_axis == 1 else w.shape[1] * groups
    if b is not None and b.shape != (out_channels,):
        raise ValueError(f"{op}: bias of shape {b.shape} does not fit weight of shape {w.shape} "
                         f"(expected ({out_channels},))")


class BilinearConv(Function):
    """Forward mode of an op linear in the input and in the weight (plus a bias)."""

    def jvp(self, tx: np.ndarray, tw: np.ndarray, tb: np.ndarray | None = None) -> np.ndarray:
        return self.linear_tangent(type(self), tx, tw, tb)

    def linear_tangent(self, op: type, tx: np.ndarray, tw: np.ndarray,
                       tb: np.ndarray | None) -> np.ndarray:
        """op(tx, w) + op(x, tw) + tb: the tangent of the bilinear op ``op``."""
        again = op()
        out = again.forward(tx, self.w, None, **self.params)
        out = out + again.forward(self.x, tw, None, **self.params)
        return out if tb is None else out + tb.reshape(1, -1, 1, 1)


class Conv2d(BilinearConv):
    """y[n, o] = b[o] + sum_{c in o's group, i, j} w[o, c, i, j] x_pad[n, c, s*y + d*i, s*x + d*j].

    ``x`` (N, C, H, W), ``w`` (O, C / groups, kh, kw), ``b`` (O,) or absent;
    ``padding`` is ((top, bottom), (left, right)). With X the im2col matrix:
    Y = W X, dW = dY X^T, dX = col2im(W^T dY), db = sum of dY over (N, Ho, Wo);
    where :func:`winograd.applies`, the same through F(2x2, 3x3)'s tiles.
    Each runs per block of images (:func:`image_blocks`), the blocks shared out
    over the op's threads (:mod:`parallel`), each thread keeping its blocks from
    im2col to col2im; the backward pass copies a block's columns again rather
    than keeping the whole batch's from the forward pass.
    """

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
                stride: Pair, padding: Padding, dilation: Pair, groups: int) -> np.ndarray:
        o, ho, wo = self.setup(x, w, b, stride, padding, dilation, groups)
        out, per_image = np.empty((o, x.shape[0] * ho * wo), dtype=x.dtype), ho * wo
        self.each_block(lambda images, t: self.block_forward(
            images, t, out[:, images.start * per_image:images.stop * per_image], b))
        return out.reshape(o, x.shape[0], ho, wo).transpose(1, 0, 2, 3)

    def setup(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: Pair,
              padding: Padding, dilation: Pair, groups: int) -> tuple[int, int, int]:
        """Check the arguments, pad the input, share the batch's blocks out; (O, Ho, Wo)."""
        check_arguments("conv2d", x, w, b, groups, in_axis=1)
        n, c, h, wd = x.shape
        o, kernel = w.shape[0], w.shape[2:]
        ho = out_size(h, kernel[0], stride[0], padding[0], dilation[0])
        wo = out_size(wd, kernel[1], stride[1], padding[1], dilation[1])
        if ho < 1 or wo < 1:
            raise ValueError(f"conv2d: kernel {kernel} with dilation {dilation} is larger than "
                             f"the padded input ({h + sum(padding[0])}, {wd + sum(padding[1])})")
        self.params = {"stride": stride, "padding": padding, "dilation": dilation,
                       "groups": groups}
        self.x, self.w, self.out_hw, self.positions = x, w, (ho, wo), ho * wo
        self.xp = _padded(x.transpose(1, 0, 2, 3), padding, 0.0, owner=self)
        per_image = c * kernel[0] * kernel[1] * ho * wo
        # 3x3 filters with unit steps: Winograd's F(2x2, 3x3), its tiles in the scratch
        self.u = winograd.filter_tiles(w) if winograd.applies(x, w, stride, dilation, groups,
                                                              (ho, wo)) else None
        if self.u is not None:
            per_image = 16 * max(c, o) * int(np.prod(winograd.tiles(ho, wo)))
        threads = parallel.width() if n * per_image * x.itemsize >= PARALLEL_BYTES else 1
        # Thread t takes the t-th run of consecutive images, as the linear layers split their
        # rows: the images a thread produced in one layer are the ones it reads in the next,
        # in its own core's cache.
        self.shares = [[slice(run.start + b.start, run.start + b.stop)
                        for b in image_blocks(run.stop - run.start, per_image * x.itemsize)]
                       for run in parallel.split(n, threads)]
        # a 1x1 kernel over contiguous (C, N, H, W) memory is its own im2col matrix
        direct = kernel == stride == (1, 1) and self.xp.flags.c_contiguous
        self.scratch = None if direct else self.reserved("scratch_columns", per_image)
        if self.u is not None:
            self.reserved("scratch_tiles", per_image)
        return o, ho, wo

    def reserved(self, name: str, per_image: int) -> list[np.ndarray]:
        """Flat scratch arrays for one block of ``per_image`` elements an image, one per
        thread, reserved for this op; taken once under ``name`` (a backward pass run again
        over a kept graph reuses them)."""
        arrays = getattr(self, name, None)
        if arrays is None:
            most = max(i.stop - i.start for share in self.shares for i in share)
            arrays = [workspace.take((most * per_image,), self.x.dtype, self)
                      for _ in self.shares]
            setattr(self, name, arrays)
        return arrays

    def each_block(self, work: Callable[[slice, int], None]) -> None:
        """work(images, t) for every block of images, thread t doing share t of them."""
        def share(t: int) -> None:
            for images in self.shares[t]:
                work(images, t)
        parallel.run([functools.partial(share, t) for t in range(len(self.shares))])

    def _columns(self, images: slice, t: int) -> np.ndarray:
        if self.scratch is None:
            return self.xp[:, images].reshape(self.xp.shape[0], -1)
        p = self.params
        return columns(self.xp, self.w.shape[2:], p["stride"], p["dilation"], images,
                       self.scratch[t])

    def block_forward(self, images: slice, t: int, out: np.ndarray,
                      b: np.ndarray | None) -> np.ndarray:
        """out (O, n*Ho*Wo) = W X + b for the images' columns X, on thread t; returns out."""
        groups, o = self.params["groups"], self.w.shape[0]
        if self.u is not None:
            bias = np.zeros(o, out.dtype) if b is None else b
            winograd.forward_block(self.xp, images.start, self.u, bias, self.scratch[t],
                                   self.scratch_tiles[t],
                                   out.reshape(o, images.stop - images.start, *self.out_hw))
            return out
        cols = self._columns(images, t)
        grouped_matmul(self.w.reshape(groups, o // groups, -1),
                       cols.reshape(groups, -1, cols.shape[1]), groups,
                       out=out.reshape(groups, o // groups, -1))
        if b is not None:
            out += b[:, None]
        return out

    def backward(self, g: np.ndarray) -> tuple:
        gm, per_image = cnhw_matrix(g), self.positions
        gx, parts = self.gradients(g.dtype)
        self.each_block(lambda images, t: self.block_backward(
            images, t, gm[:, images.start * per_image:images.stop * per_image], gx, *parts[t]))
        return self.results(gx, parts)

    def gradients(self, dtype: np.dtype) -> tuple:
        """dX (C, N, H, W), filled by :meth:`block_backward` as it goes, and, per thread,
        zeroed dW (Winograd: dU) and db (None where not needed), for :meth:`block_backward`
        to add into."""
        w, needs = self.w, self.needs_input_grad
        gx = None
        if needs[0]:
            # filled image by image by the thread that works on those images (zeroed, then
            # added into by col2im; written whole by the Winograd tiles)
            gx = np.empty((self.xp.shape[0], self.x.shape[0]) + self.x.shape[2:], dtype)
            if self.u is None:
                self.reserved("scratch_dcolumns", self.xp.shape[0] * w.shape[2] * w.shape[3]
                              * self.positions)
        gw_shape = w.shape if self.u is None else self.u.shape  # Winograd: dU, see results
        parts = [(np.zeros(gw_shape, dtype) if needs[1] else None,
                  np.zeros(w.shape[0], dtype) if len(needs) == 3 and needs[2] else None)
                 for _ in self.shares]
        return gx, parts

    def block_backward(self, images: slice, t: int, g: np.ndarray, gx: np.ndarray | None,
                       gw: np.ndarray | None, gb: np.ndarray | None) -> None:
        """Add the images' share of dX, dW and db, from their output gradient g (O, n*Ho*Wo),
        on thread t."""
        w, p = self.w, self.params
        groups, o = p["groups"], w.shape[0]
        if gb is not None:
            gb += g.sum(axis=1)
        if self.u is not None:
            winograd.backward_block(self.xp, images.start, self.u,
                                    g.reshape(o, images.stop - images.start, *self.out_hw),
                                    p["padding"], self.scratch[t], self.scratch_tiles[t], gw, gx)
            return
        g3, w3 = g.reshape(groups, o // groups, -1), w.reshape(groups, o // groups, -1)
        if gw is not None:
            cols = self._columns(images, t)
            gw += grouped_matmul(g3, cols.reshape(groups, -1, cols.shape[1]).transpose(0, 2, 1),
                                 groups).reshape(w.shape)
        if gx is not None:
            rows = w3.shape[2] * groups
            dcols = self.scratch_dcolumns[t][:rows * g.shape[1]].reshape(rows, -1)
            grouped_matmul(w3.transpose(0, 2, 1), g3, groups,
                           out=dcols.reshape(groups, -1, dcols.shape[1]))
            gx[:, images] = 0
            col2im_add(dcols, gx, w.shape[2:], p["stride"], p["dilation"], p["padding"], images)

    def results(self, gx: np.ndarray | None, parts: list[tuple]) -> tuple:
        """The gradients in the op's argument order and layout: dX as NCHW, the threads'
        dW (or Winograd's dU) and db summed in a fixed order."""
        gw, gb = (None if parts[0][k] is None else functools.reduce(np.add, [p[k] for p in parts])
                  for k in (0, 1))
        if gw is not None and self.u is not None:
            gw = winograd.filter_gradient(gw)
        return None if gx is None else gx.transpose(1, 0, 2, 3), gw, gb
