"""relu(conv2d(x, w) + b), optionally followed by 2x2 max pooling, one block of images at a time.

Run as three ops, the chain writes the convolution's output, reads it back for
the ReLU, writes the ReLU's output, reads that for the pooling, and does the
same again with the gradients. Here each block's output is still in the cache
when the ReLU and the pooling run over it, and with pooling the convolution's
output never exists whole: the backward pass rebuilds a block's output
gradient from the pooled gradient, the arg-max and the sign of the pooled value
(the ReLU's mask at the arg-max, since max and ReLU commute). The values are
the chain's, bit for bit. ``nn.Sequential`` runs Conv2d, ReLU[, MaxPool2d(2)]
through it (nn/fusion.py).
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.ops import conv_kernels
from chainrule.autograd.ops.activation import relu_grad
from chainrule.autograd.ops.conv import Conv2d, Padding, Pair, cnhw_matrix
from chainrule.autograd.ops.pool import (
    max_pool_reference,
    pick_argmax,
    unpool2x2,
    unpool_reference,
)

PAIR = ((2, 2), (2, 2), (1, 1), ((0, 0), (0, 0)))  # kernel, stride, dilation, padding


class Conv2dReLU(Conv2d):
    """y = relu(conv2d(x, w, b)), then with ``pool`` the 2x2 / stride-2 max pool of y.

    Arguments as :class:`Conv2d`. The ReLU keeps NaN and passes no gradient
    where its output is not positive (torch's threshold rule); the pooling
    sends each window's gradient to its first maximum. Large float32/float64
    input pools block by block with the numba kernels, the rest pools the whole
    ReLU output with the NumPy reference.
    """

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
                stride: Pair, padding: Padding, dilation: Pair, groups: int,
                pool: bool) -> np.ndarray:
        o, ho, wo = self.setup(x, w, b, stride, padding, dilation, groups)
        n, positions = x.shape[0], ho * wo
        if pool and min(ho, wo) < 2:
            raise ValueError(f"max_pool2d: kernel (2, 2) is larger than the convolution's "
                             f"output ({ho}, {wo})")
        self.pool = pool
        self.blockwise = pool and x.dtype in (np.float32, np.float64) \
            and o * n * positions >= conv_kernels.MIN_SIZE
        if not self.blockwise:
            out = np.empty((o, n * positions), dtype=x.dtype)
            self.each_block(lambda images, t: _relu(self.block_forward(
                images, t, out[:, images.start * positions:images.stop * positions], b)))
            self.out = out.reshape(o, n, ho, wo)
            if not pool:
                return self.out.transpose(1, 0, 2, 3)
            self.pooled, self.index = max_pool_reference(self.out, *PAIR)
            return self.pooled.transpose(1, 0, 2, 3)
        self.pooled = np.empty((o, n, ho // 2, wo // 2), dtype=x.dtype)
        self.index = np.empty(self.pooled.shape, dtype=np.uint8)
        scratch = self.reserved("scratch_outputs", o * positions)

        def block(images: slice, t: int) -> None:
            m = images.stop - images.start
            y = scratch[t][:o * m * positions].reshape(o, -1)
            _relu(self.block_forward(images, t, y, b))
            conv_kernels.max_pool2x2_forward(y.reshape(o, m, ho, wo), images.start,
                                             self.pooled, self.index)
        self.each_block(block)
        return self.pooled.transpose(1, 0, 2, 3)

    def backward(self, g: np.ndarray) -> tuple:
        gx, parts = self.gradients(g.dtype)
        o, (ho, wo) = self.w.shape[0], self.out_hw
        # the ReLU's gradient (g where its output is positive, else 0): at the pooled
        # positions here, or block by block on the threads without pooling
        if self.pool:
            gated = relu_grad(np.ascontiguousarray(g.transpose(1, 0, 2, 3)), self.pooled)
        else:
            gm, out = cnhw_matrix(g), self.out.reshape(o, -1)
        if self.blockwise:
            scratch = self.reserved("scratch_gradients", o * ho * wo)
        elif self.pool:
            gated = unpool_reference(gated, self.index, self.out.shape, *PAIR).reshape(o, -1)

        def block(images: slice, t: int) -> None:
            span = slice(images.start * ho * wo, images.stop * ho * wo)
            if self.blockwise:
                dy = scratch[t][:o * (span.stop - span.start)].reshape(o, -1)
                unpool2x2(gated, self.index, images.start, dy.reshape(o, -1, ho, wo))
            elif self.pool:
                dy = gated[:, span]
            else:
                dy = np.where(out[:, span] > 0, gm[:, span], 0)
            self.block_backward(images, t, dy, gx, *parts[t])
        self.each_block(block)
        return self.results(gx, parts)

    def jvp(self, tx: np.ndarray, tw: np.ndarray, tb: np.ndarray | None = None) -> np.ndarray:
        t = self.linear_tangent(Conv2d, tx, tw, tb).transpose(1, 0, 2, 3)  # (O, N, Ho, Wo)
        if not self.pool:
            return np.where(self.out > 0, t, 0).transpose(1, 0, 2, 3)
        return np.where(self.pooled > 0, pick_argmax(t, self.index, *PAIR),
                        0).transpose(1, 0, 2, 3)


def _relu(y: np.ndarray) -> None:
    """y = max(y, 0) in place, NaN kept (the ReLU op's rule)."""
    np.maximum(y, 0, out=y)
