"""Reshape: give every sample a new shape (Keras' ``Reshape(target_shape)``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module


class Reshape(Module):
    """Reshape each sample to ``shape`` (the batch axis stays): (N, *s) -> (N, *shape).

    For example ``Reshape((1, 28, 28))`` turns 28x28 MNIST images (or flat 784-pixel
    rows) into one-channel images for ``Conv2d``. One entry may be -1 (inferred).
    """

    def __init__(self, shape: Sequence[int]):
        super().__init__()
        shape = tuple(int(n) for n in shape)
        if not shape or shape.count(-1) > 1 or any(n == 0 or n < -1 for n in shape):
            raise ValueError(f"Reshape: shape must be positive sizes with at most one -1, got "
                             f"{shape}")
        self.shape = shape

    def forward(self, x: Tensor) -> Tensor:
        known = math.prod(n for n in self.shape if n != -1)
        size = math.prod(x.shape[1:])
        if size % known or (-1 not in self.shape and size != known):
            raise ValueError(f"Reshape{self.shape}: samples of shape {tuple(x.shape[1:])} "
                             f"({size} values) do not fit")
        return x.reshape((x.shape[0],) + self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"
