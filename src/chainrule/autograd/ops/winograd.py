"""Winograd's minimal filtering F(2x2, 3x3) for 3x3 convolutions with unit stride.

Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016): a 2x2
output tile of a 3x3 correlation over a 4x4 input tile d is

    Y = A^T [(G g G^T) * (B^T d B)] A

with elementwise * and the constant matrices below, so a convolution over C
channels into O becomes 16 independent (O, C) @ (C, tiles) products, one per
position of the 4x4 transformed tile: 16 multiply-adds per 4 outputs and input
channel instead of 36, 2.25x fewer. The gradients are the same products
transposed (the transforms are linear):

    dM = A dY A^T,   dU = sum over tiles of dM * V,   dg = G^T dU G,
    dV = U * dM,     dd = B dV B^T (added where the input tiles overlap).

The transforms are numba kernels, each a pass over a block of images: the row
transform over whole rows, then the column transform over all of an image's tiles
in one loop, so that LLVM vectorises them; the padded input and output
sizes need not be even (rows and columns beyond them count as zero). The exact
product is the im2col convolution's, which stays the reference (conv.py); in
float32 the results differ from it by rounding only, as any reordering of the
sums does. Measured on the MNIST CNN's 32->64 conv, blocks of 4 images, one
thread: the three products take 1.45 ms against 2.9 ms for im2col's GEMMs.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.ops import conv_kernels
from chainrule.jit import lazy_njit

njit = lazy_njit(globals(), cache=True, fastmath=False, error_model="numpy", nogil=True)

# G (4x3) transforms a 3x3 filter into the 4x4 tile the input tiles multiply.
G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])

# Fewer channels than this on either side leave the products too thin (a K of 1 for a
# grey image's first layer) for the 2.25x fewer multiply-adds to pay for the transforms.
MIN_CHANNELS = 8

# At most this many (output, input) channel pairs. On two threads, a conv at 128 -> 128
# channels ran 1.09-1.20x im2col's time (24x24 and 16x16 outputs; 0.70x on one thread), at
# 96 -> 96 and 64 -> 128 0.64-0.65x, at 256 -> 256 0.98x (batch 32, forward and backward,
# quiet machine). The two threads' blocks then ran one after the other more than side by
# side, though the products and the transforms alone each scale to two threads (block
# sizes of 128 KB to 2 MB made no difference); the cause is not known.
MAX_CHANNEL_PAIRS = 96 * 96

# Below this many multiply-adds over the batch (N Ho Wo O C) the kernels' calls cost more
# than they save (8 -> 8 channels over 9x9 outputs at batch 8: 0.25 against 0.20 ms).
MIN_WORK = 2**20


def applies(x: np.ndarray, w: np.ndarray, stride: tuple[int, int], dilation: tuple[int, int],
            groups: int, out_hw: tuple[int, int]) -> bool:
    """Whether a conv2d of ``x`` with ``w`` into an ``out_hw`` output runs as F(2x2, 3x3): a
    3x3 kernel, unit stride and dilation, one group, :data:`MIN_CHANNELS` to
    :data:`MAX_CHANNEL_PAIRS` channels, :data:`MIN_WORK` and float input large enough for
    the kernels."""
    o, c = w.shape[:2]
    return (w.shape[2:] == (3, 3) and stride == dilation == (1, 1) and groups == 1
            and min(o, c) >= MIN_CHANNELS and o * c <= MAX_CHANNEL_PAIRS
            and x.shape[0] * out_hw[0] * out_hw[1] * o * c >= MIN_WORK
            and x.dtype == w.dtype and x.dtype in (np.float32, np.float64)
            and x.size >= conv_kernels.MIN_SIZE)


def tiles(ho: int, wo: int) -> tuple[int, int]:
    """(rows, columns) of 2x2 output tiles covering an Ho x Wo output."""
    return (ho + 1) // 2, (wo + 1) // 2


def _sandwich(m: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """left @ m[..., :, :] @ right.T for a stack m (..., p, q), as two GEMMs over the whole
    stack (an einsum planned its path on every call, and a stacked matmul makes a tiny
    product per matrix: 0.24-0.30 ms a step on the MNIST CNN)."""
    *stack, p, q = m.shape
    half = (m.reshape(-1, q) @ right.T).reshape(*stack, p, -1)  # m right^T
    out = np.swapaxes(half, -1, -2).reshape(-1, p) @ left.T  # (m right^T)^T left^T
    return np.swapaxes(out.reshape(*stack, right.shape[0], left.shape[0]), -1, -2)


def filter_tiles(w: np.ndarray) -> np.ndarray:
    """U (16, O, C): G w[o, c] G^T for every filter, position-major."""
    g = G.astype(w.dtype)
    o, c = w.shape[:2]
    return np.ascontiguousarray(_sandwich(w, g, g).transpose(2, 3, 0, 1)).reshape(16, o, c)


def filter_gradient(du: np.ndarray) -> np.ndarray:
    """dw (O, C, 3, 3) = G^T dU[o, c] G from dU (16, O, C) (the adjoint of
    :func:`filter_tiles`)."""
    g = G.astype(du.dtype)
    return _sandwich(du.reshape(4, 4, *du.shape[1:]).transpose(2, 3, 0, 1), g.T, g.T)


@njit
def input_tiles(xp, n0, th, tw, v):  # pragma: no cover
    """v[4a + b, c, (n, ty, tx)] = (B^T d B)[a, b] for the 4x4 tile d of xp[c, n0 + n] (the
    padded input, C x N x Hp x Wp) at row 2 ty, column 2 tx; rows and columns past xp are
    zero. n runs over v's last axis / (th tw) images.

    The rows of B^T d of all tiles of an image go into two buffers, ``left`` with each
    tile's columns 0, 1 at 2 k, 2 k + 1 for the tile's index k and ``right`` with its
    columns 2, 3 there, so that the column transform is one loop over the image's tiles
    (a loop over one tile row, 12 tiles on the MNIST CNN, is too short to vectorise
    well: 2-4x slower per tile)."""
    c_, hp, wp = xp.shape[0], xp.shape[2], xp.shape[3]
    n_, count, width = v.shape[2] // (th * tw), th * tw, 2 * tw
    left = np.zeros((4, count * 2), xp.dtype)
    right = np.zeros((4, count * 2), xp.dtype)  # past xp's last column stays zero
    below = np.zeros(wp, xp.dtype)  # the row past xp's last
    for c in range(c_):
        for n in range(n_):
            image = xp[c, n0 + n]
            for ty in range(th):
                r0 = image[2 * ty]
                r1 = image[2 * ty + 1]
                r2 = image[2 * ty + 2]
                r3 = image[2 * ty + 3] if 2 * ty + 3 < hp else below
                # rows of B^T d: d0 - d2, d1 + d2, d2 - d1, d1 - d3
                span = slice(ty * width, (ty + 1) * width)
                t0, t1, t2, t3 = left[0, span], left[1, span], left[2, span], left[3, span]
                for x in range(width):
                    t0[x] = r0[x] - r2[x]
                    t1[x] = r1[x] + r2[x]
                    t2[x] = r2[x] - r1[x]
                    t3[x] = r1[x] - r3[x]
                t0, t1, t2, t3 = right[0, span], right[1, span], right[2, span], right[3, span]
                for x in range(wp - 2):
                    t0[x] = r0[x + 2] - r2[x + 2]
                    t1[x] = r1[x + 2] + r2[x + 2]
                    t2[x] = r2[x + 2] - r1[x + 2]
                    t3[x] = r1[x + 2] - r3[x + 2]
            start = n * count
            for a in range(4):
                lo, hi = left[a], right[a]
                v0 = v[4 * a, c, start:start + count]
                v1 = v[4 * a + 1, c, start:start + count]
                v2 = v[4 * a + 2, c, start:start + count]
                v3 = v[4 * a + 3, c, start:start + count]
                for k in range(count):
                    d0 = lo[2 * k]
                    d1 = lo[2 * k + 1]
                    d2 = hi[2 * k]
                    d3 = hi[2 * k + 1]
                    v0[k] = d0 - d2
                    v1[k] = d1 + d2
                    v2[k] = d2 - d1
                    v3[k] = d1 - d3


@njit
def output_tiles(m, bias, out):  # pragma: no cover
    """out[o, n, y, x] = (A^T m A)[y % 2, x % 2] + bias[o] for the tile (n, y // 2, x // 2)
    of m (16, O, tiles); out (O, n, Ho, Wo) takes the tiles' first Ho rows and Wo
    columns. The column transform runs over an image's tiles at once (see
    :func:`input_tiles`)."""
    o_, n_, ho, wo = out.shape
    th, tw = (ho + 1) // 2, (wo + 1) // 2
    count, width = th * tw, 2 * tw
    p = np.empty((4, count * 2), m.dtype)
    for o in range(o_):
        b = bias[o]
        for n in range(n_):
            start = n * count
            # columns of m A: m0 + m1 + m2, m1 - m2 - m3
            for a in range(4):
                m0 = m[4 * a, o, start:start + count]
                m1 = m[4 * a + 1, o, start:start + count]
                m2 = m[4 * a + 2, o, start:start + count]
                m3 = m[4 * a + 3, o, start:start + count]
                row = p[a]
                for k in range(count):
                    row[2 * k] = m0[k] + m1[k] + m2[k]
                    row[2 * k + 1] = m1[k] - m2[k] - m3[k]
            for ty in range(th):
                p0 = p[0, ty * width:(ty + 1) * width]
                p1 = p[1, ty * width:(ty + 1) * width]
                p2 = p[2, ty * width:(ty + 1) * width]
                p3 = p[3, ty * width:(ty + 1) * width]
                top = out[o, n, 2 * ty]
                for x in range(wo):
                    top[x] = p0[x] + p1[x] + p2[x] + b
                if 2 * ty + 1 < ho:
                    bottom = out[o, n, 2 * ty + 1]
                    for x in range(wo):
                        bottom[x] = p1[x] - p2[x] - p3[x] + b


@njit
def output_gradient_tiles(g, dm):  # pragma: no cover
    """dm[4a + b, o, (n, ty, tx)] = (A e A^T)[a, b] for the 2x2 tile e of g (O, n, Ho, Wo) at
    row 2 ty, column 2 tx (zero past g): the adjoint of :func:`output_tiles`, its column
    transform over an image's tiles at once."""
    o_, n_, ho, wo = g.shape
    th, tw = (ho + 1) // 2, (wo + 1) // 2
    count, width = th * tw, 2 * tw
    q = np.zeros((4, count * 2), g.dtype)  # an odd Wo's last column stays zero
    for o in range(o_):
        for n in range(n_):
            for ty in range(th):
                top = g[o, n, 2 * ty]
                q0 = q[0, ty * width:(ty + 1) * width]
                q1 = q[1, ty * width:(ty + 1) * width]
                q2 = q[2, ty * width:(ty + 1) * width]
                q3 = q[3, ty * width:(ty + 1) * width]
                # rows of A e: e0, e0 + e1, e0 - e1, -e1
                if 2 * ty + 1 < ho:
                    bottom = g[o, n, 2 * ty + 1]
                    for x in range(wo):
                        q0[x] = top[x]
                        q1[x] = top[x] + bottom[x]
                        q2[x] = top[x] - bottom[x]
                        q3[x] = -bottom[x]
                else:
                    for x in range(wo):
                        q0[x] = top[x]
                        q1[x] = top[x]
                        q2[x] = top[x]
                        q3[x] = 0
            start = n * count
            for a in range(4):
                row = q[a]
                d0 = dm[4 * a, o, start:start + count]
                d1 = dm[4 * a + 1, o, start:start + count]
                d2 = dm[4 * a + 2, o, start:start + count]
                d3 = dm[4 * a + 3, o, start:start + count]
                for k in range(count):
                    e0 = row[2 * k]
                    e1 = row[2 * k + 1]
                    d0[k] = e0
                    d1[k] = e0 + e1
                    d2[k] = e0 - e1
                    d3[k] = -e1


@njit
def input_gradient_tiles(dv, th, tw, pt, pl, n0, dx):  # pragma: no cover
    """dx[c, n0 + n, y, x] = the sum, over the tiles whose 4x4 input covers padded position
    (y + pt, x + pl), of (B dv B^T) there, for dv (16, C, (n, ty, tx)): the adjoint of
    :func:`input_tiles`, written (not added) over the images' whole unpadded dx.

    Tiles overlap by two rows and columns; each pass gathers the two tiles that reach a
    row (column) instead of scatter-adding, so that every element is written once."""
    c_, h, w = dv.shape[1], dx.shape[2], dx.shape[3]
    n_, count, width = dv.shape[2] // (th * tw), th * tw, 2 * tw
    # columns of e = v B^T per tile k: e0, e1 at 2 k, 2 k + 1 of ``own``, e2, e3 there in
    # ``ahead`` (they land two columns further on), all tiles of an image in one loop
    own = np.empty((4, count * 2), dv.dtype)
    ahead = np.empty((4, count * 2), dv.dtype)
    # r[ty, a, x]: the rows a of (v B^T) of the tile row ty, tiles gathered along x
    r = np.empty((th, 4, width + 2), dv.dtype)
    for c in range(c_):
        for n in range(n_):
            start = n * count
            for a in range(4):
                v0 = dv[4 * a, c, start:start + count]
                v1 = dv[4 * a + 1, c, start:start + count]
                v2 = dv[4 * a + 2, c, start:start + count]
                v3 = dv[4 * a + 3, c, start:start + count]
                mine, next_ = own[a], ahead[a]
                for k in range(count):
                    mine[2 * k] = v0[k]
                    mine[2 * k + 1] = v1[k] - v2[k] + v3[k]
                    next_[2 * k] = v1[k] + v2[k] - v0[k]
                    next_[2 * k + 1] = -v3[k]
                # column 2q + j gathers e_j of tile q and e_(j+2) of tile q - 1
                for ty in range(th):
                    mine = own[a, ty * width:(ty + 1) * width]
                    next_ = ahead[a, ty * width:(ty + 1) * width]
                    row = r[ty, a]
                    row[0] = mine[0]
                    row[1] = mine[1]
                    for x in range(width - 2):
                        row[x + 2] = mine[x + 2] + next_[x]
                    row[width] = next_[width - 2]
                    row[width + 1] = next_[width - 1]
            image = dx[c, n0 + n]
            for y in range(h):
                # padded row 2p + k gathers (B e)[k] of tile row p and (B e)[k + 2] of p - 1;
                # rows of B e: e0, e1 - e2 + e3, e1 + e2 - e0, -e3
                p = (y + pt) // 2
                out = image[y]
                if (y + pt) % 2 == 0:
                    if p == 0:
                        e = r[p, 0, pl:]
                        for x in range(w):
                            out[x] = e[x]
                    elif p == th:
                        f0 = r[p - 1, 0, pl:]
                        f1 = r[p - 1, 1, pl:]
                        f2 = r[p - 1, 2, pl:]
                        for x in range(w):
                            out[x] = f1[x] + f2[x] - f0[x]
                    else:
                        e = r[p, 0, pl:]
                        f0 = r[p - 1, 0, pl:]
                        f1 = r[p - 1, 1, pl:]
                        f2 = r[p - 1, 2, pl:]
                        for x in range(w):
                            out[x] = e[x] + (f1[x] + f2[x] - f0[x])
                else:
                    if p == th:
                        f3 = r[p - 1, 3, pl:]
                        for x in range(w):
                            out[x] = -f3[x]
                    elif p == 0:
                        e1 = r[p, 1, pl:]
                        e2 = r[p, 2, pl:]
                        e3 = r[p, 3, pl:]
                        for x in range(w):
                            out[x] = e1[x] - e2[x] + e3[x]
                    else:
                        e1 = r[p, 1, pl:]
                        e2 = r[p, 2, pl:]
                        e3 = r[p, 3, pl:]
                        f3 = r[p - 1, 3, pl:]
                        for x in range(w):
                            out[x] = (e1[x] - e2[x] + e3[x]) - f3[x]


def _block_tiles(u: np.ndarray, images: int, out_hw: tuple[int, ...], v: np.ndarray,
                 m: np.ndarray) -> tuple[int, int, np.ndarray, np.ndarray]:
    """(th, tw, V (16, C, T), M (16, O, T)) for ``images`` images' T tiles of an ``out_hw``
    output, V and M over the flat scratch arrays ``v`` and ``m``."""
    th, tw = tiles(*out_hw)
    count = images * th * tw
    o, c = u.shape[1:]
    return (th, tw, v[:16 * c * count].reshape(16, c, count),
            m[:16 * o * count].reshape(16, o, count))


def forward_block(xp: np.ndarray, n0: int, u: np.ndarray, bias: np.ndarray,
                  v: np.ndarray, m: np.ndarray, out: np.ndarray) -> None:
    """out (O, n, Ho, Wo) = the convolution of images n0 .. n0 + n of the padded input xp
    (C, N, Hp, Wp) with the filters' tiles u (16, O, C), plus bias (O,); v and m are flat
    scratch arrays of at least 16 C T and 16 O T elements for the images' T tiles."""
    th, tw, v3, m3 = _block_tiles(u, out.shape[1], out.shape[2:], v, m)
    input_tiles(xp, n0, th, tw, v3)
    np.matmul(u, v3, out=m3)
    output_tiles(m3, bias, out)


def backward_block(xp: np.ndarray, n0: int, u: np.ndarray, g: np.ndarray, padding: tuple,
                   v: np.ndarray, m: np.ndarray, du: np.ndarray | None,
                   dx: np.ndarray | None) -> None:
    """From the output gradient g (O, n, Ho, Wo) of images n0 .. n0 + n: add their share of
    dU (16, O, C) into ``du`` and write their dX into ``dx`` (C, N, H, W) (either may be
    None); scratch as :func:`forward_block`."""
    th, tw, v3, dm = _block_tiles(u, g.shape[1], g.shape[2:], v, m)
    output_gradient_tiles(g, dm)
    if du is not None:
        input_tiles(xp, n0, th, tw, v3)
        du += np.matmul(dm, v3.transpose(0, 2, 1))
    if dx is not None:
        np.matmul(u.transpose(0, 2, 1), dm, out=v3)  # dV, in V's place
        input_gradient_tiles(v3, th, tw, padding[0][0], padding[1][0], n0, dx)
