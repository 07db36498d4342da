"""Entry points of the extra activations, with torch.nn.functional's names and arguments."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.axes import pick_axis
from chainrule.autograd.entry.args import as_floating as _f
from chainrule.autograd.ops import activation_extra as act
from chainrule.autograd.ops.activation import Softmax
from chainrule.autograd.tensor import Tensor

__all__ = ["gelu", "hardtanh", "log_sigmoid", "logsigmoid", "mish", "relu6", "selu", "silu",
           "softmin", "softsign"]


def silu(input: Any) -> Tensor:  # noqa: A002
    """x sigmoid(x), also called swish."""
    return act.SiLU.apply(_f(input))


def gelu(input: Any, approximate: str = "none") -> Tensor:  # noqa: A002
    """x Phi(x) with the standard normal CDF Phi (exact, through erf), or with
    ``approximate="tanh"`` 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return (act.GELU if approximate == "none" else act.GELUTanh).apply(_f(input))


def mish(input: Any) -> Tensor:  # noqa: A002
    """x tanh(softplus(x))."""
    return act.Mish.apply(_f(input))


def selu(input: Any) -> Tensor:  # noqa: A002
    """scale (x if x > 0 else alpha (e^x - 1)), alpha = 1.6733, scale = 1.0507 (act.SELU)."""
    return act.SELU.apply(_f(input))


def softsign(input: Any) -> Tensor:  # noqa: A002
    """x / (1 + |x|)."""
    return act.Softsign.apply(_f(input))


def logsigmoid(input: Any) -> Tensor:  # noqa: A002
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return act.LogSigmoid.apply(_f(input))


log_sigmoid = logsigmoid


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """x clamped to [min_val, max_val]; gradient 1 strictly inside, 0 elsewhere.

    Defaults: min_val=-1, max_val=1.
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is above max_val {max_val}")
    return act.Hardtanh.apply(_f(input), lo=min_val, hi=max_val)


def relu6(input: Any) -> Tensor:  # noqa: A002
    """min(max(x, 0), 6): hardtanh over [0, 6]."""
    return hardtanh(input, 0.0, 6.0)


def softmin(input: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:  # noqa: A002
    """softmax(-x) along ``dim`` (default -1): e^-x / sum(e^-x)."""
    return Softmax.apply(-_f(input), axis=pick_axis("softmin", axis, dim, -1))
