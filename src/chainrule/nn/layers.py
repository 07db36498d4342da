"""Basic layers: Linear, Maxout, Flatten, Identity, Dropout (torch names and semantics)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule import functional as F
from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.nn import init
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


def _check_positive(layer: str, **sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")


def _torch_default_init(weight: Parameter, bias: Parameter | None, fan_in: int,
                        generator: init.Generator) -> None:
    """torch's Linear init: kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    for the weight, and the same bound for the bias."""
    rng = cr_random.resolve(generator)
    init.kaiming_uniform_(weight, a=math.sqrt(5), generator=rng)
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in)
        init.uniform_(bias, -bound, bound, generator=rng)


class Linear(Module):
    """Affine map y = x W^T + b.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias. Defaults to ``True``.
        generator: random generator (or seed) for the initial values.
            Defaults to the global one.

    Shape:
        input (*, in_features) -> output (*, out_features).

    Attributes:
        weight: (out_features, in_features), initialised from
            U(-1/sqrt(in_features), 1/sqrt(in_features)) exactly as torch.
        bias: (out_features,), same distribution.

    Example:
        >>> from chainrule import nn
        >>> nn.Linear(784, 10)
        Linear(in_features=784, out_features=10, bias=True)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 generator: init.Generator = None):
        super().__init__()
        _check_positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: init.Generator = None) -> None:
        """Draw fresh initial values with torch's default Linear init."""
        _torch_default_init(self.weight, self.bias, self.in_features, generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Maxout(Linear):
    """Maxout units (Goodfellow et al., 2013): y_j = max_k (x W_{jk}^T + b_{jk}).

    A linear map to out_features * pieces units, then the maximum over each
    group of ``pieces`` consecutive units (``F.maxout``).

    Args:
        in_features: size of each input sample.
        out_features: number of maxout units.
        pieces: linear pieces per unit.
        bias: learn biases. Defaults to ``True``.
        generator: random generator (or seed) for the initial values.

    Attributes:
        weight: (out_features * pieces, in_features), initialised like Linear.
        bias: (out_features * pieces,).
    """

    def __init__(self, in_features: int, out_features: int, pieces: int, bias: bool = True, *,
                 generator: init.Generator = None):
        _check_positive("Maxout", in_features=in_features, out_features=out_features,
                        pieces=pieces)
        super().__init__(in_features, out_features * pieces, bias, generator=generator)
        self.out_features, self.pieces = out_features, pieces

    def forward(self, x: Tensor) -> Tensor:
        return F.maxout(F.linear(x, self.weight, self.bias), self.pieces, axis=-1)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}")


class Flatten(Module):
    """Merge axes ``start_axis..end_axis`` into one. Defaults: start_axis=1, end_axis=-1.

    Shape: (N, *dims) -> (N, prod(dims)) with the defaults.
    """

    def __init__(self, start_axis: int = 1, end_axis: int = -1):
        super().__init__()
        self.start_axis, self.end_axis = start_axis, end_axis

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"


class Identity(Module):
    """Returns its input unchanged (a placeholder); constructor arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Dropout(Module):
    """Zero each unit with probability ``p`` while training (Srivastava et al., 2014).

    Args:
        p: probability of dropping a unit. Defaults to 0.5.
        inverted: scale kept units by 1 / (1 - p) in training so that test time
            is the identity (the usual form); ``False`` gives vanilla dropout,
            which instead scales by (1 - p) at test time. Defaults to ``True``.
        mc: keep dropping in eval mode too (Monte Carlo dropout: average many
            stochastic predictions). Defaults to ``False``.
        generator: random generator (or seed) for the masks. Defaults to the
            global one.
    """

    def __init__(self, p: float = 0.5, inverted: bool = True, mc: bool = False,
                 generator: init.Generator = None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p, self.inverted, self.mc = float(p), inverted, mc
        # Resolve a seed once, so successive calls draw different masks.
        self.generator = None if generator is None else cr_random.resolve(generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, training=self.training or self.mc, inverted=self.inverted,
                         generator=self.generator)

    def extra_repr(self) -> str:
        extra = "" if self.inverted else ", inverted=False"
        return f"p={self.p}{extra}" + (", mc=True" if self.mc else "")
