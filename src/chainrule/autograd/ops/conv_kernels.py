"""numba kernels for the im2col, col2im and pooling passes of a CNN step, one pass each.

Each replaces a NumPy formula that stays in conv.py / pool.py as the tested
reference: im2col for unit stride and dilation (the windows' copy, innermost
loop over output columns, instead of NumPy's copy of a 6-D strided view), col2im
(every column added once into the unpadded result instead of kh*kw strided
passes over a padded copy), max pooling forward (value and arg-max in one scan
of each window, unrolled for the common 2x2 window) and backward (one write per
input instead of a zeroed (C, K, N, Ho, Wo) array, a scatter and a col2im).

They run single-threaded. Two threads (numba ``prange`` over channels) halve
im2col and col2im on their own, but inside a training step they gained nothing:
a conv's blocks of images shared out over two Python threads of one-thread BLAS
(GIL released) took 49-51 ms a step against 48-50 on one thread, and 77 ms
without OPENBLAS_THREAD_TIMEOUT, since OpenBLAS's idle threads spin for a while
after every two-thread product and take the core from the second thread.
Figures: benchmarks/mnist_cnn_profile.py and the README's CNN section.
"""

from __future__ import annotations

import numpy as np

from chainrule.jit import lazy_njit

# compiled on first call, so that importing chainrule does not import numba
# nogil: the ops run them on several threads at once (parallel.py)
njit = lazy_njit(globals(), cache=True, fastmath=False, error_model="numpy", nogil=True)

# Below this many input elements the NumPy reference is as fast as a kernel call.
MIN_SIZE = 4096


def usable(*arrays: np.ndarray) -> bool:
    """Whether the kernels apply: float32/float64, C-contiguous, large enough."""
    first = arrays[0]
    return first.size >= MIN_SIZE and all(
        a.dtype == first.dtype and a.dtype.kind == "f" and a.flags.c_contiguous for a in arrays)


@njit
def max_pool_forward(x, kh, kw, sh, sw, dh, dw, pt, pl, out, index):  # pragma: no cover
    """out[c, n, y, x] = max of the window over ``x`` (C, N, H, W), index = its row-major
    position in the window (first maximum wins, a NaN wins); padding never wins."""
    c_, n_, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    for c in range(c_):
        for n in range(n_):
            for oy in range(ho):
                for ox in range(wo):
                    best = -np.inf
                    arg = -1
                    for i in range(kh):
                        iy = oy * sh + i * dh - pt
                        if iy < 0 or iy >= h:
                            continue
                        for j in range(kw):
                            ix = ox * sw + j * dw - pl
                            if ix < 0 or ix >= w:
                                continue
                            v = x[c, n, iy, ix]
                            if arg < 0 or v > best or v != v:
                                best = v
                                arg = i * kw + j
                    out[c, n, oy, ox] = best
                    index[c, n, oy, ox] = arg


@njit
def max_pool_backward(g, index, kw, sh, sw, dh, dw, pt, pl, dx):  # pragma: no cover
    """dx (C, N, H, W), zeroed, gets each output gradient g[c, n, y, x] at its arg-max."""
    c_, n_, ho, wo = g.shape
    for c in range(c_):
        for n in range(n_):
            for oy in range(ho):
                for ox in range(wo):
                    k = index[c, n, oy, ox]
                    iy = oy * sh + (k // kw) * dh - pt
                    ix = ox * sw + (k % kw) * dw - pl
                    dx[c, n, iy, ix] += g[c, n, oy, ox]


@njit
def max_pool2x2_forward(x, n0, out, index):  # pragma: no cover
    """max_pool_forward for the 2x2 window with stride 2 and no padding, of the images
    x (C, n, H, W) into out and index at images n0 .. n0 + n; unrolled: with the
    comparisons written as selects LLVM vectorises it (0.40 ms against 9.0 ms for the general
    kernel on the MNIST CNN's (64, 64, 24, 24) input, quiet machine)."""
    c_, n_ = x.shape[0], x.shape[1]
    ho, wo = out.shape[2], out.shape[3]
    for c in range(c_):
        for n in range(n_):
            for oy in range(ho):
                top = x[c, n, 2 * oy]
                bottom = x[c, n, 2 * oy + 1]
                values = out[c, n0 + n, oy]
                where = index[c, n0 + n, oy]
                for ox in range(wo):
                    best = top[2 * ox]
                    arg = 0
                    v = top[2 * ox + 1]
                    take = (v > best) | (v != v)
                    best = v if take else best
                    arg = 1 if take else arg
                    v = bottom[2 * ox]
                    take = (v > best) | (v != v)
                    best = v if take else best
                    arg = 2 if take else arg
                    v = bottom[2 * ox + 1]
                    take = (v > best) | (v != v)
                    values[ox] = v if take else best
                    where[ox] = 3 if take else arg


@njit
def max_pool2x2_backward(g, index, n0, zero, dx):  # pragma: no cover
    """dx (C, n, H, W) of images n0 .. n0 + n, written whole over its first 2 Ho rows and
    2 Wo columns: g at each
    window's arg-max, ``zero`` (0 of dx's dtype) elsewhere. Walking the input row with
    contiguous stores lets LLVM vectorise it (0.95 ms against 2.5 ms for the general kernel
    plus 0.2 ms of zeroing, same input)."""
    c_, n_ = dx.shape[0], dx.shape[1]
    ho, wo = g.shape[2], g.shape[3]
    for c in range(c_):
        for n in range(n_):
            for oy in range(ho):
                top = dx[c, n, 2 * oy]
                bottom = dx[c, n, 2 * oy + 1]
                grad = g[c, n0 + n, oy]
                where = index[c, n0 + n, oy]
                for ix in range(2 * wo):
                    k = where[ix >> 1]
                    v = grad[ix >> 1]
                    j = ix & 1
                    top[ix] = v if k == j else zero
                    bottom[ix] = v if k == j + 2 else zero


@njit
def im2col_unit(xp, n0, out):  # pragma: no cover
    """out[c, i, j, n, y, x] = xp[c, n0 + n, y + i, x + j] for the padded input xp (C, N, Hp, Wp):
    the windows' copy for stride 1 and dilation 1, innermost loop over output columns. With
    the unit steps known LLVM vectorises it: 3.0 ms against 4.5 ms for NumPy's copy of the
    strided view on the MNIST CNN's 32->64 conv at batch 64 (quiet machine); with the steps
    as arguments the same loop took 7.3 ms, so other geometries keep NumPy's copy."""
    c_, kh, kw, n_, ho, wo = out.shape
    for c in range(c_):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_):
                    for oy in range(ho):
                        for ox in range(wo):
                            out[c, i, j, n, oy, ox] = xp[c, n0 + n, oy + i, ox + j]


@njit
def col2im(cols, sh, sw, dh, dw, pt, pl, n0, dx):  # pragma: no cover
    """Add cols (C, kh, kw, n, Ho, Wo) of images n0 .. n0 + n into the unpadded dx (C, N, H, W)."""
    c_, kh, kw, n_, ho, wo = cols.shape
    h, w = dx.shape[2], dx.shape[3]
    for c in range(c_):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_):
                    for oy in range(ho):
                        iy = oy * sh + i * dh - pt
                        if iy < 0 or iy >= h:
                            continue
                        for ox in range(wo):
                            ix = ox * sw + j * dw - pl
                            if 0 <= ix < w:
                                dx[c, n0 + n, iy, ix] += cols[c, i, j, n, oy, ox]


@njit
def col2im_unit(cols, n0, dx):  # pragma: no cover
    """col2im for stride 1, dilation 1 and no padding: every index a sum of loop counters,
    so that LLVM knows it is not negative and vectorises the innermost loop (a negative
    index would wrap around): 0.063 ms against 0.123 for the general kernel on a 4-image
    block of the MNIST CNN's 32->64 conv, where a version with the padding folded into
    the loop bounds took 0.68 ms."""
    c_, kh, kw, n_, ho, wo = cols.shape
    for c in range(c_):
        for i in range(kh):
            for j in range(kw):
                for n in range(n_):
                    for oy in range(ho):
                        for ox in range(wo):
                            dx[c, n0 + n, oy + i, ox + j] += cols[c, i, j, n, oy, ox]
