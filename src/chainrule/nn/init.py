"""Weight initialisation schemes, each writing in place into ``tensor.data``.

Every function takes ``generator=None`` (an ``np.random.Generator``, an int
seed, or None for the global generator of ``cr.manual_seed``) and returns the
tensor it filled. Names, arguments and formulas follow ``torch.nn.init``; fans
are computed as torch does for a weight of shape (out, in, *kernel):
fan_in = in * prod(kernel), fan_out = out * prod(kernel).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor

Generator = np.random.Generator | int | None

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0,
          "relu": math.sqrt(2.0), "selu": 0.75}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    linear / identity / sigmoid: 1, tanh: 5/3, relu: sqrt(2),
    leaky_relu: sqrt(2 / (1 + slope^2)) with slope ``param`` (default 0.01), selu: 3/4.
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity.startswith("conv") or nonlinearity in _GAINS:
        return _GAINS.get(nonlinearity, 1.0)
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one "
                     f"of {sorted(_GAINS) + ['leaky_relu', 'conv1d', 'conv2d']}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got "
                         f"shape {tensor.shape}")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    tensor.data[...] = values
    return tensor


# ************************************************************* plain distributions


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0 (the usual bias init)."""
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1.0)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator = None) -> Tensor:
    """Draw from U(a, b). Defaults: a=0, b=1."""
    return _fill(tensor, cr_random.resolve(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator = None) -> Tensor:
    """Draw from N(mean, std^2). Defaults: mean=0, std=1."""
    return _fill(tensor, cr_random.resolve(generator).normal(mean, std, tensor.shape))


def small_normal_(tensor: Tensor, std: float = 0.01, generator: Generator = None) -> Tensor:
    """The decks' small random init ``W = 0.01 * randn``: N(0, std^2). Defaults: std=0.01."""
    return normal_(tensor, 0.0, std, generator)


def small_uniform_(tensor: Tensor, scale: float = 0.01, generator: Generator = None) -> Tensor:
    """Small uniform init U(-scale, scale). Defaults: scale=0.01."""
    return uniform_(tensor, -scale, scale, generator)


# ************************************************************* fan-scaled schemes


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator = None) -> Tensor:
    """Glorot & Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator = None) -> Tensor:
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def xavier_fan_in_normal_(tensor: Tensor, gain: float = 1.0,
                          generator: Generator = None) -> Tensor:
    """The decks' "Xavier" ``W = randn(fan_in, fan_out) / sqrt(fan_in)``: std = gain / sqrt(fan_in).

    Keeps the output variance of a linear unit equal to its input variance
    (also known as LeCun normal). Defaults: gain=1.
    """
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain / math.sqrt(fan_in), generator)


lecun_normal_ = xavier_fan_in_normal_


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Generator = None) -> Tensor:
    """He et al. (2015): U(-b, b) with b = sqrt(3) * gain / sqrt(fan), gain from ``nonlinearity``.

    ``a`` is the negative slope of a leaky ReLU (0 gives ReLU's sqrt(2)).
    Defaults: a=0, mode='fan_in', nonlinearity='leaky_relu' (as torch).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Generator = None) -> Tensor:
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan), gain from ``nonlinearity``.

    Defaults: a=0, mode='fan_in', nonlinearity='leaky_relu' (as torch).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


# ************************************************************* structured schemes


def sparse_(tensor: Tensor, k: int = 15, std: float = 1.0, generator: Generator = None) -> Tensor:
    """Martens (2010) sparse init: each unit (row) gets exactly ``k`` nonzero incoming weights.

    The nonzero positions are chosen uniformly without replacement and their
    values drawn from N(0, std^2); a unit with fewer than ``k`` inputs gets all
    of them. Defaults: k=15, std=1.
    """
    if tensor.ndim < 2:
        raise ValueError(f"sparse_: needs a weight with at least 2 dimensions, got shape "
                         f"{tensor.shape}")
    if k < 1:
        raise ValueError(f"sparse_: k must be a positive number of inputs per unit, got {k}")
    rng = cr_random.resolve(generator)
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    k = min(k, cols)
    # The k smallest of i.i.d. uniform keys are a uniform random k-subset of each row.
    chosen = np.argpartition(rng.random((rows, cols)), k - 1, axis=1)[:, :k]
    weights = np.zeros((rows, cols))
    np.put_along_axis(weights, chosen, rng.normal(0.0, std, (rows, k)), axis=1)
    return _fill(tensor, weights.reshape(tensor.shape))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Generator = None) -> Tensor:
    """Saxe et al. (2014): a (semi-)orthogonal matrix times ``gain``, as ``torch.nn.init``.

    The weight is viewed as (rows, rest); its rows (if rows <= rest) or
    columns are orthonormal. Uses the QR decomposition of a Gaussian matrix
    with the signs of R's diagonal folded into Q, so Q is Haar-distributed.
    """
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: needs at least 2 dimensions, got shape {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = cr_random.resolve(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


# ************************************************************* data-dependent


class _Captured(Exception):
    """Stops the forward pass once the layer under adjustment has produced its output."""


def _lsuv_layers(model: Any) -> Iterator[Any]:
    """Submodules with a weight of at least 2 dimensions (Linear, Maxout, ...)."""
    for module in model.modules():
        weight = module._parameters.get("weight")
        if weight is not None and weight.ndim >= 2:
            yield module


def lsuv_(model: Any, batch: Any, tol: float = 0.1, max_iters: int = 10,
          generator: Generator = None) -> Any:
    """Layer-sequential unit-variance init (Mishkin & Matas, 2016).

    Every layer with a weight (of at least 2 dimensions) gets an orthogonal
    weight and a zero bias; then, in the order the layers run on ``batch``,
    the weight is divided by sqrt(Var(output)) until |Var(output) - 1| < ``tol``
    or ``max_iters`` rescalings. The model runs in eval mode meanwhile (its
    modes are restored). Defaults: tol=0.1, max_iters=10.

    Returns:
        The model.
    """
    x = batch if isinstance(batch, Tensor) else Tensor(batch)
    layers = list(_lsuv_layers(model))
    if not layers:
        raise ValueError(f"lsuv_: {type(model).__name__} has no layer with a weight to rescale")
    rng = cr_random.resolve(generator)
    for layer in layers:
        orthogonal_(layer.weight, generator=rng)
        if layer._parameters.get("bias") is not None:
            zeros_(layer.bias)
    modes = {id(m): m.training for m in model.modules()}
    model.eval()
    try:
        with no_grad():
            for layer in _run_order(model, x, layers):
                for _ in range(max_iters):
                    var = _output_var(model, x, layer)
                    if abs(var - 1.0) < tol or var == 0:
                        break
                    layer.weight.data[...] /= np.sqrt(var)
    finally:
        for m in model.modules():
            object.__setattr__(m, "training", modes[id(m)])
    return model


def _run_order(model: Any, x: Tensor, layers: list[Any]) -> list[Any]:
    """The layers in the order their forward runs on ``x`` (unused layers are skipped)."""
    order: list[Any] = []
    handles = [layer.register_forward_hook(lambda m, i, o: order.append(m)) for layer in layers]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    unique: dict[int, Any] = {}
    for m in order:
        unique.setdefault(id(m), m)  # a layer called twice is adjusted at its first use
    return list(unique.values())


def _output_var(model: Any, x: Tensor, layer: Any) -> float:
    """Variance of ``layer``'s output on ``x``; the forward stops right after that layer."""
    found: list[float] = []

    def capture(module: Any, inputs: tuple, output: Tensor) -> None:
        found.append(float(np.var(output.data, dtype=np.float64)))
        raise _Captured

    handle = layer.register_forward_hook(capture)
    try:
        model(x)
    except _Captured:
        pass
    finally:
        handle.remove()
    return found[0]
