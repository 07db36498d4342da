"""Batch normalisation layers (Ioffe & Szegedy, 2015) over ``F.batch_norm``: 1-D and 2-D."""

from __future__ import annotations

import numpy as np

from chainrule import functional as F
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class _BatchNorm(Module):
    """Batch normalisation over the channel axis 1, as torch.

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
            raise ValueError(f"{type(self).__name__}: num_features must be a positive integer, "
                             f"got {num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got "
                             f"{momentum}")
        if eps <= 0:
            raise ValueError(f"{type(self).__name__}: eps must be positive, got {eps}")
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
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input of "
                             f"shape {self._layout.format(c=self.num_features)}, got {x.shape}")
        momentum, tracking = self.momentum, self.training and self.track_running_stats
        if tracking and momentum is None:  # a cumulative average over the batches so far
            momentum = 1.0 / (float(self.num_batches_tracked) + 1)
        out = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                           training=self.training or not self.track_running_stats,
                           momentum=momentum, eps=self.eps)
        if tracking:
            np.add(self.num_batches_tracked, 1, out=self.num_batches_tracked)
        return out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs (see the base for the arguments)."""

    _ndims, _layout = (2, 3), "(N, {c}) or (N, {c}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel (see the base for the arguments)."""

    _ndims, _layout = (4,), "(N, {c}, H, W)"
