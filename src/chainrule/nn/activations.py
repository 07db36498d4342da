"""Activation functions as modules, each one line over ``chainrule.functional``."""

from __future__ import annotations

import numpy as np

from chainrule import functional as F
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise. Defaults: negative_slope=0.01."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """x for x > 0, a * x otherwise, with a learnable slope a (He et al., 2015).

    Args:
        num_parameters: 1 (one slope shared by all channels) or the number of
            channels (axis 1 of the input). Defaults to 1.
        init: initial slope. Defaults to 0.25.

    Attributes:
        weight: (num_parameters,) slopes.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) \
                or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive integer, got "
                             f"{num_parameters!r}")
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(np.full(num_parameters, init, dtype=np.float32))

    def reset_parameters(self) -> None:
        """Every slope back to ``init``."""
        self.weight.data[...] = self.init

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, alpha (e^x - 1) otherwise (Clevert et al., 2016). Defaults: alpha=1."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, and x where beta x > threshold.

    Defaults: beta=1, threshold=20.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Step(Module):
    """The perceptron's step 1[x > 0] (zero gradient)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x)


class Softmax(Module):
    """e^x / sum(e^x) along ``axis``. Defaults: axis=-1."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """x - logsumexp(x) along ``axis``. Defaults: axis=-1."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
