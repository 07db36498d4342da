"""numba kernels for the pooling and col2im passes of a CNN step, one pass each.

Each replaces a NumPy formula of several passes that stays in conv.py / pool.py
as the tested reference: max pooling forward (value and arg-max in one scan of
each window, instead of a running maximum, a comparison and two masked writes per
window element), max pooling backward (one write per output instead of a zeroed
(C, K, N, Ho, Wo) array, a scatter and a col2im), and col2im (every column added
once into the unpadded result instead of kh*kw strided passes over a padded copy).
They run single-threaded: on the shared 2-core machine a second thread waits
for a descheduled first one more often than it helps.

Measured on the MNIST CNN at batch 64 (machine loaded, load average about 20,
one BLAS thread; see benchmarks/mnist_cnn_profile.py): see README's CNN section.
"""

from __future__ import annotations

import numpy as np

from chainrule.jit import lazy_njit

# compiled on first call, so that importing chainrule does not import numba
njit = lazy_njit(globals(), cache=True, fastmath=False, error_model="numpy")

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
def col2im(cols, sh, sw, dh, dw, pt, pl, dx):  # pragma: no cover
    """Add cols (C, kh, kw, N, Ho, Wo) into the zeroed, unpadded dx (C, N, H, W)."""
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
                                dx[c, n, iy, ix] += cols[c, i, j, n, oy, ox]
