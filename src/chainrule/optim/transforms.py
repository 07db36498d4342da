"""The gradient transformations the named optimizers are built from.

Each factory returns a :class:`GradientTransformation` working on one flat
float buffer, in place. The arithmetic follows ``torch.optim``'s single-tensor
code operation for operation (same order, float32 throughout), so a chain
tracks torch to float32 rounding and the fused kernels in ``kernels.py`` can
reproduce a chain bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainrule.optim.base import (
    EmptyState,
    GradientTransformation,
    ScalarOrSchedule,
    Schedule,
    value_at,
)


def _empty(params: np.ndarray) -> np.ndarray:
    """A zero-size buffer standing in for an unused state array (keeps the state's shape fixed)."""
    return np.zeros(0, dtype=params.dtype)


def lerp_(a: np.ndarray, b: np.ndarray, weight: float) -> None:
    """``a += weight * (b - a)`` in place, rounded exactly as ``torch.lerp_`` rounds it."""
    w = a.dtype.type(weight)
    if abs(w) < 0.5:
        d = b - a
        d *= w
        a += d
    else:  # torch switches form for large weights so that weight = 1 returns b exactly
        d = b - a
        d *= a.dtype.type(1) - w
        np.subtract(b, d, out=a)


def flush_denormals_(a: np.ndarray) -> None:
    """Set subnormal entries (0 < |a| < smallest normal) to zero, in place.

    A moment that decays by a constant factor while its gradient stays zero
    (Adam's first moment for a pixel that is always blank) sinks through the
    subnormal range, where every float operation takes a slow microcode path:
    MNIST's Adam step was 2-4x slower for it. Flushing changes the state by
    less than 1.2e-38, far below what the update can show.
    """
    a[np.abs(a) < np.finfo(a.dtype).tiny] = 0


# ------------------------------------------------------------------ scaling


def scale(step_size: float) -> GradientTransformation:
    """``u <- step_size * u``.

    Args:
        step_size: the factor (``-1`` turns a minimiser into a maximiser).
    """
    def init(params: np.ndarray) -> EmptyState:
        return EmptyState()

    def update(u: np.ndarray, state: EmptyState, params: np.ndarray | None = None):
        u *= step_size
        return u, state

    return GradientTransformation(init, update)


class ScaleByScheduleState(NamedTuple):
    """count: how many updates the schedule has scaled (the step it is evaluated at)."""

    count: int


def scale_by_schedule(schedule: Schedule) -> GradientTransformation:
    """``u <- schedule(count) * u``, then ``count += 1`` (the first update uses ``schedule(0)``).

    Args:
        schedule: a callable of the step, such as ``optim.CosineAnnealingLR(...)``.
    """
    if not callable(schedule):
        raise TypeError(f"scale_by_schedule expects a callable of the step, got {schedule!r}")

    def init(params: np.ndarray) -> ScaleByScheduleState:
        return ScaleByScheduleState(count=0)

    def update(u: np.ndarray, state: ScaleByScheduleState, params: np.ndarray | None = None):
        u *= float(schedule(state.count))
        return u, ScaleByScheduleState(count=state.count + 1)

    return GradientTransformation(init, update)


def scale_by_learning_rate(learning_rate: ScalarOrSchedule) -> GradientTransformation:
    """``u <- -lr * u``: the descent step; ``lr`` a float or a schedule of the step.

    Args:
        learning_rate: a non-negative float, or a callable ``step -> lr``.
    """
    if callable(learning_rate):
        return scale_by_schedule(lambda count: -float(learning_rate(count)))
    if not learning_rate >= 0:
        raise ValueError(f"Invalid learning rate: {learning_rate}")
    return scale(-float(learning_rate))


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    """``u <- u + weight_decay * params``.

    Placed *before* the scaling transform (``scale_by_adam`` ...) this is the
    coupled L2 penalty of torch's ``weight_decay`` (the decay goes through the
    adaptive scaling); placed *after* it and before the learning rate, it is the
    decoupled decay of AdamW (Loshchilov & Hutter, 2019), ``p -= lr * wd * p``.

    Args:
        weight_decay: the decay rate (0 makes this the identity).
    """
    def init(params: np.ndarray) -> EmptyState:
        return EmptyState()

    def update(u: np.ndarray, state: EmptyState, params: np.ndarray | None = None):
        if params is None:
            raise ValueError("add_decayed_weights needs params: call update(u, state, params)")
        if weight_decay != 0:
            u += weight_decay * params
        return u, state

    return GradientTransformation(init, update)


# ------------------------------------------------------------------ momentum


class TraceState(NamedTuple):
    """count: updates so far; velocity: the momentum buffer."""

    count: int
    velocity: np.ndarray


def trace(decay: float, *, nesterov: bool = False, dampening: float = 0.0,
          learning_rate: ScalarOrSchedule | None = None) -> GradientTransformation:
    """Momentum (Polyak's heavy ball) or Nesterov's accelerated gradient.

    With ``learning_rate=None`` (torch's form, and the deck's
    ``v = rho v + dx; x -= lr v``) the velocity accumulates gradients and the
    output still has to be scaled by the learning rate::

        v <- decay * v + (1 - dampening) * g      (v <- g on the first update)
        u <- v                  or, Nesterov:  u <- g + decay * v

    With ``learning_rate`` given (the lecture form ``v = mu v - lr dx; x += v``;
    Nesterov ``x += -mu v_prev + (1 + mu) v``) the velocity carries the step
    itself and the output is the parameter change: the same recursion with
    ``g`` replaced by ``-lr * g``. For a constant rate the two forms give the
    same steps; when the rate changes, the lecture form keeps old steps at their
    old size while torch's form rescales the whole velocity.

    Args:
        decay: the momentum coefficient mu (0.9 is usual).
        nesterov: use Nesterov's look-ahead form. Defaults to ``False``.
        dampening: scale new gradients by ``1 - dampening``. Defaults to ``0``.
        learning_rate: if given, the lecture form (see above). Defaults to ``None``.
    """
    keep = 1.0 - dampening

    def init(params: np.ndarray) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def update(u: np.ndarray, state: TraceState, params: np.ndarray | None = None):
        if learning_rate is not None:
            u *= -value_at(learning_rate, state.count)
        v = state.velocity
        if state.count == 0:
            v[...] = u  # torch starts the buffer at the first gradient, undamped
        else:
            v *= decay
            if dampening != 0:
                v += keep * u
            else:
                v += u
        if nesterov:
            u += decay * v
        else:
            u[...] = v
        return u, TraceState(count=state.count + 1, velocity=v)

    return GradientTransformation(init, update)


# ------------------------------------------------------------------ adaptive scaling


class ScaleByAdagradState(NamedTuple):
    """sum_of_squares: the running sum of squared gradients."""

    sum_of_squares: np.ndarray


def scale_by_adagrad(initial_accumulator_value: float = 0.0,
                     eps: float = 1e-10) -> GradientTransformation:
    """AdaGrad (Duchi et al., 2011): ``s <- s + g^2; u <- g / (sqrt(s) + eps)``.

    Args:
        initial_accumulator_value: the starting value of ``s``. Defaults to ``0``.
        eps: added to the root for stability. Defaults to ``1e-10`` (torch).
    """
    def init(params: np.ndarray) -> ScaleByAdagradState:
        return ScaleByAdagradState(np.full_like(params, initial_accumulator_value))

    def update(u: np.ndarray, state: ScaleByAdagradState, params: np.ndarray | None = None):
        s = state.sum_of_squares
        s += u * u
        std = np.sqrt(s)
        std += eps
        u /= std
        return u, state

    return GradientTransformation(init, update)


class ScaleByRmsState(NamedTuple):
    """nu: mean square; mu: mean gradient (centred only); momentum_buffer (momentum > 0 only)."""

    nu: np.ndarray
    mu: np.ndarray
    momentum_buffer: np.ndarray


def scale_by_rms(decay: float = 0.99, eps: float = 1e-8, centered: bool = False,
                 momentum: float = 0.0) -> GradientTransformation:
    """RMSProp (Tieleman & Hinton, 2012), as torch's ``RMSprop``::

        nu <- decay * nu + (1 - decay) * g^2
        avg = sqrt(nu) + eps                        centred: mu <- lerp(mu, g, 1 - decay),
                                                             avg = sqrt(nu - mu^2) + eps
        u <- g / avg                                momentum: b <- momentum * b + g / avg, u <- b

    Args:
        decay: the decay rate of the mean square (torch's ``alpha``). Defaults to ``0.99``.
        eps: added to the root. Defaults to ``1e-8``.
        centered: divide by the estimated standard deviation instead. Defaults to ``False``.
        momentum: momentum on the scaled gradient. Defaults to ``0``.
    """
    def init(params: np.ndarray) -> ScaleByRmsState:
        return ScaleByRmsState(np.zeros_like(params),
                               np.zeros_like(params) if centered else _empty(params),
                               np.zeros_like(params) if momentum > 0 else _empty(params))

    def update(u: np.ndarray, state: ScaleByRmsState, params: np.ndarray | None = None):
        nu, mu, buf = state
        nu *= decay
        sq = (1.0 - decay) * u
        sq *= u
        nu += sq
        if centered:
            lerp_(mu, u, 1.0 - decay)
            avg = mu * mu
            np.subtract(nu, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(nu)
        avg += eps
        u /= avg
        if momentum > 0:
            buf *= momentum
            buf += u
            u[...] = buf
        return u, state

    return GradientTransformation(init, update)


class ScaleByAdamState(NamedTuple):
    """count: steps; mu, nu: first and second moments; nu_max: AMSGrad's running max of nu."""

    count: int
    mu: np.ndarray
    nu: np.ndarray
    nu_max: np.ndarray


def adam_bias_corrections(b1: float, b2: float, count: int) -> tuple[np.float32, np.float32]:
    """Adam's bias corrections at step ``count`` as float32 factors: 1/(1-b1^t), 1/sqrt(1-b2^t)."""
    return np.float32(1.0 / (1.0 - b1 ** count)), np.float32(1.0 / (1.0 - b2 ** count) ** 0.5)


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
                  amsgrad: bool = False) -> GradientTransformation:
    """Adam (Kingma & Ba, 2015) with bias correction, as torch's ``Adam``::

        mu <- lerp(mu, g, 1 - b1);  nu <- b2 * nu + (1 - b2) * g^2
        u <- mu / (sqrt(nu) / sqrt(1 - b2^t) + eps) / (1 - b1^t)

    Both bias corrections are applied as products with their float32
    reciprocals (one division per element instead of three, which makes the
    fused kernel about 30% faster; the result moves by at most an ulp or two).

    Args:
        b1: decay of the first moment. Defaults to ``0.9``.
        b2: decay of the second moment. Defaults to ``0.999``.
        eps: added to the corrected root. Defaults to ``1e-8``.
        amsgrad: use the running maximum of ``nu`` (Reddi et al., 2018). Defaults to ``False``.
    """
    def init(params: np.ndarray) -> ScaleByAdamState:
        return ScaleByAdamState(0, np.zeros_like(params), np.zeros_like(params),
                                np.zeros_like(params) if amsgrad else _empty(params))

    def update(u: np.ndarray, state: ScaleByAdamState, params: np.ndarray | None = None):
        count = state.count + 1
        _, mu, nu, nu_max = state
        lerp_(mu, u, 1.0 - b1)
        flush_denormals_(mu)
        nu *= b2
        sq = (1.0 - b2) * u
        sq *= u
        nu += sq
        if amsgrad:
            np.maximum(nu_max, nu, out=nu_max)
        denom = np.sqrt(nu_max if amsgrad else nu, out=u)  # g is no longer needed
        inv_bc1, inv_bc2_sqrt = adam_bias_corrections(b1, b2, count)
        denom *= inv_bc2_sqrt
        denom += eps
        np.divide(mu, denom, out=u)
        u *= inv_bc1
        return u, state._replace(count=count)

    return GradientTransformation(init, update)
