"""The transposed convolution: conv2d's adjoint in its input, through the same im2col."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.ops import workspace
from chainrule.autograd.ops.conv import (
    BilinearConv,
    Padding,
    Pair,
    check_arguments,
    cnhw_matrix,
    col2im,
    grouped_matmul,
    im2col,
)


class ConvTranspose2d(BilinearConv):
    """The adjoint of conv2d in its input: y = col2im(W^T X) + b, the gradient of a conv2d.

    ``x`` (N, C, H, W), ``w`` (C, O / groups, kh, kw) as torch, ``b`` (O,);
    output size (H - 1) s - pad_top - pad_bottom + d (kh - 1) + output_padding + 1
    (likewise for the width). dX = W im2col(dY), dW = X im2col(dY)^T.
    """

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
                stride: Pair, padding: Padding, output_padding: Pair, dilation: Pair,
                groups: int) -> np.ndarray:
        check_arguments("conv_transpose2d", x, w, b, groups, in_axis=0)
        n, c, h, wd = x.shape
        kernel = w.shape[2:]
        o = w.shape[1] * groups
        size = [(s - 1) * st - sum(p) + d * (k - 1) + op + 1 for s, st, p, d, k, op in
                zip((h, wd), stride, padding, dilation, kernel, output_padding, strict=True)]
        if min(size) < 1:
            raise ValueError(f"conv_transpose2d: input of shape {x.shape} with padding "
                             f"{padding} gives an empty output {tuple(size)}")
        self.params = {"stride": stride, "padding": padding, "output_padding": output_padding,
                       "dilation": dilation, "groups": groups}
        self.x, self.w, self.out_shape = x, w, (o, n, size[0], size[1])
        self.xm = cnhw_matrix(x)
        cols = workspace.take((o * kernel[0] * kernel[1], n * h * wd), x.dtype)
        grouped_matmul(w.reshape(groups, c // groups, -1).transpose(0, 2, 1),
                       self.xm.reshape(groups, c // groups, -1), groups,
                       out=cols.reshape(groups, -1, cols.shape[1]))
        y = col2im(cols, self.out_shape, kernel, stride, dilation, padding, grid=(h, wd))
        if b is not None:
            y += b[:, None, None, None]
        return y.transpose(1, 0, 2, 3)

    def backward(self, g: np.ndarray) -> tuple:
        w, xm, p = self.w, self.xm, self.params
        groups, c = p["groups"], w.shape[0]
        colsg = im2col(g.transpose(1, 0, 2, 3), w.shape[2:], p["stride"], p["dilation"],
                       p["padding"], grid=self.x.shape[2:])
        cols3 = colsg.reshape(groups, -1, colsg.shape[1])
        needs = self.needs_input_grad
        gx = gw = gb = None
        if needs[0]:
            gx = grouped_matmul(w.reshape(groups, c // groups, -1), cols3, groups)
            gx = gx.reshape(c, *self.x.shape[:1], *self.x.shape[2:]).transpose(1, 0, 2, 3)
        if needs[1]:
            gw = grouped_matmul(xm.reshape(groups, c // groups, -1), cols3.transpose(0, 2, 1),
                                groups).reshape(w.shape)
        if len(needs) == 3 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb
