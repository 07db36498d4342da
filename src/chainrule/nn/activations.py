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
    """The perceptron's step 1[x >= 0] (zero gradient). Defaults: value_at_zero=1.0."""

    def __init__(self, value_at_zero: float = 1.0):
        super().__init__()
        self.value_at_zero = value_at_zero

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x, self.value_at_zero)

    def extra_repr(self) -> str:
        return f"value_at_zero={self.value_at_zero}"


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


class SiLU(Module):
    """x sigmoid(x) (swish)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


class GELU(Module):
    """x Phi(x) with the normal CDF Phi; ``approximate="tanh"`` uses the tanh formula.

    Defaults: approximate="none" (exact, through erf).
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Mish(Module):
    """x tanh(softplus(x))."""

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


class SELU(Module):
    """Self-normalising ELU: scale (x if x > 0 else alpha (e^x - 1))."""

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class LogSigmoid(Module):
    """log(sigmoid(x)), stable for large |x|."""

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)


class Hardtanh(Module):
    """x clamped to [min_val, max_val]. Defaults: min_val=-1, max_val=1."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} is above max_val {max_val}")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self):
        super().__init__(0.0, 6.0)


class Softmin(Module):
    """softmax(-x) along ``dim``. Defaults: dim=-1."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
