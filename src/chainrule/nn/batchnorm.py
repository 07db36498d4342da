"""Batch normalisation (Ioffe & Szegedy, 2015) as one fused op, and the BatchNorm1d layer."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class BatchNormOp(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel (axis 1), fused.

    ``mean`` and ``var`` are given (computed by the layer so it can update its
    running statistics). With ``batch_stats=True`` they are the batch's own
    biased statistics, and the backward pass includes their dependence on x:

        dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))

    (means over every axis but 1); otherwise they are constants and
    dx = gamma * g / sqrt(var + eps). Inputs: ``x`` alone, or ``x, gamma, beta``.
    """

    def forward(self, x: np.ndarray, *affine: np.ndarray, mean: np.ndarray, var: np.ndarray,
                eps: float, batch_stats: bool) -> np.ndarray:
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.count = x.size // x.shape[1]
        self.batch_stats = batch_stats
        self.inv_std = (1.0 / np.sqrt(var + x.dtype.type(eps))).astype(x.dtype).reshape(shape)
        self.x_hat = (x - mean.reshape(shape)) * self.inv_std
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


class BatchNorm1d(Module):
    """Batch normalisation over the channel axis of (N, C) or (N, C, L) inputs, as torch.

    In training the batch mean and biased variance normalise the input, and
    the running averages are updated with the unbiased variance:
    ``running = (1 - momentum) * running + momentum * batch_stat``
    (``momentum=None`` gives the cumulative average over all batches so far).
    In eval mode the running averages are used instead.

    Args:
        num_features: number of channels C.
        eps: added to the variance for stability. Defaults to 1e-5.
        momentum: weight of the newest batch in the running averages, or
            ``None`` for a cumulative average. Defaults to 0.1.
        affine: learn a per-channel scale gamma (init 1) and shift beta (init 0).
            Defaults to ``True``.
        track_running_stats: keep running averages (buffers ``running_mean``,
            ``running_var``, ``num_batches_tracked``); without them batch
            statistics are used in eval mode too. Defaults to ``True``.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) \
                or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive integer, got "
                             f"{num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum}")
        if eps <= 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=np.float32))
            self.bias = Parameter(np.zeros(num_features, dtype=np.float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        running = (np.zeros(num_features, dtype=np.float32),
                   np.ones(num_features, dtype=np.float32), np.zeros((), dtype=np.int64))
        for name, value in zip(("running_mean", "running_var", "num_batches_tracked"),
                               running, strict=True):
            self.register_buffer(name, value if track_running_stats else None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.fill(0)
            self.running_var.fill(1)
            self.num_batches_tracked.fill(0)

    def forward(self, x: Tensor) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}): expected input of shape (N, "
                             f"{self.num_features}) or (N, {self.num_features}, L), got {x.shape}")
        batch_stats = self.training or not self.track_running_stats
        if batch_stats:
            mean, var = self._batch_statistics(x.data)
        else:
            mean, var = self.running_mean, self.running_var
        affine = (self.weight, self.bias) if self.affine else ()
        return BatchNormOp.apply(x, *affine, mean=mean, var=var, eps=self.eps,
                                 batch_stats=batch_stats)

    def _batch_statistics(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Batch mean and biased variance; in training also update the running averages."""
        axes = (0,) + tuple(range(2, x.ndim))
        n = x.size // x.shape[1]
        if self.training and n < 2:
            raise ValueError(f"BatchNorm1d: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        if self.training and self.track_running_stats:
            np.add(self.num_batches_tracked, 1, out=self.num_batches_tracked)
            m = self.momentum if self.momentum is not None else \
                1.0 / float(self.num_batches_tracked)
            self.running_mean[...] = (1 - m) * self.running_mean + m * mean
            self.running_var[...] = (1 - m) * self.running_var + m * var * (n / (n - 1))
        return mean, var

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
