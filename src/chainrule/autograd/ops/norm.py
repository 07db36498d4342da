"""Batch normalisation (Ioffe & Szegedy, 2015) as one fused op over every axis but axis 1."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


def channel_axes(ndim: int) -> tuple[int, ...]:
    """The axes batch normalisation averages over: every axis but the channel axis 1."""
    return (0,) + tuple(range(2, ndim))


class BatchNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel (axis 1), fused.

    ``mean`` and ``var`` are given (``F.batch_norm`` computes them so it can
    update the running statistics). With ``batch_stats=True`` they are the
    batch's own biased statistics, and the backward pass includes their
    dependence on x:

        dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))

    (means over every axis but 1); otherwise they are constants and
    dx = gamma * g / sqrt(var + eps). Inputs: ``x`` alone, or ``x, gamma, beta``.
    """

    def forward(self, x: np.ndarray, *affine: np.ndarray, mean: np.ndarray, var: np.ndarray,
                eps: float, batch_stats: bool) -> np.ndarray:
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.axes = channel_axes(x.ndim)
        self.count = x.size // x.shape[1]
        self.batch_stats = batch_stats
        inv_std = 1.0 / np.sqrt(np.asarray(var, dtype=x.dtype) + x.dtype.type(eps))
        self.inv_std = inv_std.astype(x.dtype, copy=False).reshape(shape)
        self.x_hat = (x - np.asarray(mean, dtype=x.dtype).reshape(shape)) * self.inv_std
        if not affine:
            self.gamma = None
            return self.x_hat
        gamma, beta = affine
        self.gamma = gamma.reshape(shape)
        return self.x_hat * self.gamma + beta.reshape(shape)

    def backward(self, g: np.ndarray) -> tuple:
        x_hat, axes = self.x_hat, self.axes
        g_sum = g.sum(axis=axes, keepdims=True)  # = d beta
        gx_sum = (g * x_hat).sum(axis=axes, keepdims=True)  # = d gamma
        scale = self.inv_std if self.gamma is None else self.inv_std * self.gamma
        if not self.needs_input_grad[0]:  # e.g. batch norm straight on the data
            gx = None
        elif self.batch_stats:
            n = x_hat.dtype.type(self.count)
            gx = scale * (g - g_sum / n - x_hat * (gx_sum / n))
        else:
            gx = g * scale
        if self.gamma is None:
            return (gx,)
        return gx, gx_sum.reshape(-1), g_sum.reshape(-1)

    def jvp(self, tx: np.ndarray, *t_affine: np.ndarray) -> np.ndarray:
        x_hat, axes = self.x_hat, self.axes
        if self.batch_stats:  # x_hat's tangent through the batch mean and variance
            n = x_hat.dtype.type(self.count)
            t_mean = tx.sum(axis=axes, keepdims=True) / n
            t_proj = (tx * x_hat).sum(axis=axes, keepdims=True) / n
            t_hat = self.inv_std * (tx - t_mean) - x_hat * (self.inv_std * t_proj)
        else:
            t_hat = tx * self.inv_std
        if self.gamma is None:
            return t_hat
        shape = self.gamma.shape
        t_gamma, t_beta = t_affine
        return t_hat * self.gamma + x_hat * t_gamma.reshape(shape) + t_beta.reshape(shape)
