"""The named optimizers: torch's constructors over transform chains, with fused kernels.

Each class says which chain its options mean (the reference) and runs the
equivalent numba kernel from ``kernels.py`` on float32 groups. Every chain
starts with ``scale(±1)`` (``maximize``) and a weight-decay slot so the state
layout never depends on option values that may change between steps.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from chainrule.autograd.flat import FlatBuffer
from chainrule.autograd.ops import parallel
from chainrule.optim import kernels
from chainrule.optim import transforms as tx
from chainrule.optim.base import GradientTransformation, State, chain
from chainrule.optim.optimizer import Optimizer, ParamsLike, check_number

_f32 = np.float32
_NO_BUFFER = np.zeros(0, dtype=np.float32)

# From this many parameters up a fused update is split over the ops' threads.
PARALLEL_SIZE = 2**17


def _fused(kernel: Any, *args: Any) -> None:
    """kernel(*args) over the flat buffers (the arrays as long as the first), in consecutive
    slices on the ops' threads when large: each element's update is independent of the
    others', so the bits do not depend on the split (Adam over the MNIST CNN's 1.2M
    parameters: 0.9 ms a step on one thread)."""
    n = args[0].size
    runs = parallel.split(n, parallel.width() if n >= PARALLEL_SIZE else 1)
    if len(runs) == 1:
        kernel(*args)
        return
    parallel.run([partial(kernel, *[a[r] if isinstance(a, np.ndarray) and a.size == n
                                    else a for a in args]) for r in runs])


def _check_flag(name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Invalid {name} value: {value!r} (expected True or False)")


def _sign(group: dict[str, Any]) -> float:
    return -1.0 if group["maximize"] else 1.0


def _lerp_weights(weight: float) -> tuple[np.float32, np.float32, bool]:
    """The float32 scalars of ``transforms.lerp_`` for ``weight`` (weight, 1 - weight, branch)."""
    w = _f32(weight)
    return w, _f32(1) - w, bool(abs(w) < 0.5)


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and Nesterov momentum.

    The chain ``scale(±1), add_decayed_weights(weight_decay), trace(momentum,
    nesterov, dampening), scale_by_learning_rate(lr)``, i.e. torch's rule::

        g <- g + weight_decay * p
        b <- momentum * b + (1 - dampening) * g     (b <- g at the first step)
        p <- p - lr * (g + momentum * b  if nesterov else  b)

    Args:
        params: tensors or parameter groups.
        lr: learning rate. Defaults to ``1e-3`` (torch's default).
        momentum: momentum factor (Polyak, 1964; Sutskever et al., 2013). Defaults to ``0``.
        dampening: dampening of new gradients in the momentum. Defaults to ``0``.
        nesterov: Nesterov momentum (needs momentum > 0, dampening 0). Defaults to ``False``.
        weight_decay: L2 penalty added to the gradient. Defaults to ``0``.
        maximize: ascend the objective instead. Defaults to ``False``.
        fused: see :class:`~chainrule.optim.Optimizer`. Defaults to ``None``.

    Example:
        >>> import chainrule as cr
        >>> from chainrule import optim
        >>> w = cr.tensor([1.0], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward(); opt.step(); w.data.tolist()
        [0.800000011920929]
    """

    _has_kernel = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0,
                 *, maximize: bool = False, fused: bool | None = None):
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "nesterov": nesterov, "weight_decay": weight_decay,
                                  "maximize": maximize}, fused=fused)

    def _validate(self, group: dict[str, Any]) -> None:
        check_number("learning rate", group["lr"])
        check_number("momentum value", group["momentum"])
        check_number("dampening value", group["dampening"], high=1.0)
        check_number("weight_decay value", group["weight_decay"])
        _check_flag("nesterov", group["nesterov"])
        _check_flag("maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        momentum = [tx.trace(group["momentum"], nesterov=group["nesterov"],
                          dampening=group["dampening"])] if group["momentum"] != 0 else []
        return chain(tx.scale(_sign(group)), tx.add_decayed_weights(group["weight_decay"]),
                     *momentum, tx.scale_by_learning_rate(group["lr"]))

    def _fused_update(self, group: dict[str, Any], flat: FlatBuffer, state: State) -> State:
        has_momentum = group["momentum"] != 0
        tr = state[2] if has_momentum else None
        _fused(kernels.sgd, flat.data, flat.grad, tr.velocity if has_momentum else _NO_BUFFER,
               _f32(_sign(group)), _f32(group["weight_decay"]), _f32(group["momentum"]),
               _f32(1.0 - group["dampening"]), bool(group["nesterov"]),
               bool(has_momentum and tr.count == 0), _f32(-group["lr"]))
        if has_momentum:
            state = (*state[:2], tr._replace(count=tr.count + 1), *state[3:])
        return state


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), with AMSGrad (Reddi et al., 2018) as an option.

    The chain ``scale(±1), add_decayed_weights(weight_decay), scale_by_adam(betas,
    eps, amsgrad), add_decayed_weights(0), scale_by_learning_rate(lr)``::

        g <- g + weight_decay * p                 (coupled L2, torch's Adam)
        m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  (AMSGrad: v <- max(v_max, v))
        p <- p - lr * m / (1 - b1^t) / (sqrt(v) / sqrt(1 - b2^t) + eps)

    Args:
        params: tensors or parameter groups.
        lr: learning rate. Defaults to ``1e-3``.
        betas: decay rates of the two moments, each in [0, 1). Defaults to ``(0.9, 0.999)``.
        eps: added to the denominator. Defaults to ``1e-8``.
        weight_decay: L2 penalty added to the gradient. Defaults to ``0``.
        amsgrad: use the running maximum of the second moment. Defaults to ``False``.
        maximize: ascend the objective instead. Defaults to ``False``.
        fused: see :class:`~chainrule.optim.Optimizer`. Defaults to ``None``.
    """

    _has_kernel = True
    _decoupled = False

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 fused: bool | None = None):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize}, fused=fused)

    def _validate(self, group: dict[str, Any]) -> None:
        check_number("learning rate", group["lr"])
        check_number("epsilon value", group["eps"])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Invalid betas: {betas!r} (expected a pair (beta1, beta2))")
        for i, b in enumerate(betas):
            check_number(f"beta parameter at index {i}", b, high=1.0, high_open=True)
        check_number("weight_decay value", group["weight_decay"])
        _check_flag("amsgrad", group["amsgrad"])
        _check_flag("maximize", group["maximize"])

    def _decays(self, group: dict[str, Any]) -> tuple[float, float]:
        """(coupled, decoupled) weight decay."""
        wd = group["weight_decay"]
        return (0.0, wd) if self._decoupled else (wd, 0.0)

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        b1, b2 = group["betas"]
        coupled, decoupled = self._decays(group)
        return chain(tx.scale(_sign(group)), tx.add_decayed_weights(coupled),
                     tx.scale_by_adam(b1, b2, group["eps"], group["amsgrad"]),
                     tx.add_decayed_weights(decoupled), tx.scale_by_learning_rate(group["lr"]))

    def _fused_update(self, group: dict[str, Any], flat: FlatBuffer, state: State) -> State:
        st = state[2]
        count = st.count + 1
        b1, b2 = group["betas"]
        coupled, decoupled = self._decays(group)
        inv_bc1, inv_bc2_sqrt = tx.adam_bias_corrections(b1, b2, count)
        _fused(kernels.adam, flat.data, flat.grad, st.mu, st.nu, st.nu_max, _f32(_sign(group)),
               _f32(coupled), _f32(decoupled), *_lerp_weights(1.0 - b1), _f32(b2),
               _f32(1.0 - b2), inv_bc2_sqrt, _f32(group["eps"]), inv_bc1,
               _f32(-group["lr"]), bool(group["amsgrad"]))
        return (*state[:2], st._replace(count=count), *state[3:])


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    The chain of :class:`Adam` with the decay moved after the adaptive scaling
    (``scale_by_adam, add_decayed_weights(weight_decay), scale_by_learning_rate``),
    so ``p <- p - lr * (adam_step + weight_decay * p)``: the decay is not divided
    by ``sqrt(v)``. Same arguments as :class:`Adam`; ``weight_decay`` defaults to ``1e-2``.
    """

    _decoupled = True

    def __init__(self, params: ParamsLike, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         fused=fused)


class RMSprop(Optimizer):
    """RMSProp (Tieleman & Hinton, 2012), optionally centred and with momentum.

    The chain ``scale(±1), add_decayed_weights(weight_decay), scale_by_rms(alpha,
    eps, centered, momentum), scale_by_learning_rate(lr)``::

        v <- alpha v + (1 - alpha) g^2;  avg = sqrt(v) + eps
        (centred: m <- alpha m + (1 - alpha) g;  avg = sqrt(v - m^2) + eps)
        p <- p - lr * g / avg     (momentum: b <- momentum b + g / avg;  p <- p - lr b)

    Args:
        params: tensors or parameter groups.
        lr: learning rate. Defaults to ``1e-2``.
        alpha: decay rate of the mean square. Defaults to ``0.99``.
        eps: added to the root. Defaults to ``1e-8``.
        weight_decay: L2 penalty added to the gradient. Defaults to ``0``.
        momentum: momentum factor. Defaults to ``0``.
        centered: normalise by the estimated variance. Defaults to ``False``.
        maximize: ascend the objective instead. Defaults to ``False``.
        fused: see :class:`~chainrule.optim.Optimizer`. Defaults to ``None``.
    """

    _has_kernel = True

    def __init__(self, params: ParamsLike, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False, fused: bool | None = None):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered, "maximize": maximize}, fused=fused)

    def _validate(self, group: dict[str, Any]) -> None:
        check_number("learning rate", group["lr"])
        check_number("epsilon value", group["eps"])
        check_number("momentum value", group["momentum"])
        check_number("weight_decay value", group["weight_decay"])
        check_number("alpha value", group["alpha"], high=1.0)
        _check_flag("centered", group["centered"])
        _check_flag("maximize", group["maximize"])

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        return chain(tx.scale(_sign(group)), tx.add_decayed_weights(group["weight_decay"]),
                     tx.scale_by_rms(group["alpha"], group["eps"], group["centered"],
                                  group["momentum"]),
                     tx.scale_by_learning_rate(group["lr"]))

    def _fused_update(self, group: dict[str, Any], flat: FlatBuffer, state: State) -> State:
        st = state[2]
        c, c_rest, c_small = _lerp_weights(1.0 - group["alpha"])
        _fused(kernels.rmsprop, flat.data, flat.grad, st.nu, st.mu, st.momentum_buffer,
               _f32(_sign(group)), _f32(group["weight_decay"]), _f32(group["alpha"]),
               c, c_rest, c_small, _f32(group["eps"]), _f32(group["momentum"]),
               _f32(-group["lr"]), bool(group["centered"]))
        return state


def _adagrad_lr(lr: float, lr_decay: float, count: int) -> float:
    """torch's decayed rate ``lr / (1 + (step - 1) * lr_decay)``, with ``count = step - 1``."""
    return lr / (1 + count * lr_decay)


class Adagrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): per-parameter rates from the sum of squared gradients.

    The chain ``scale(±1), add_decayed_weights(weight_decay),
    scale_by_adagrad(initial_accumulator_value, eps), scale_by_learning_rate(lr_t)``::

        s <- s + g^2;  p <- p - lr_t * g / (sqrt(s) + eps),  lr_t = lr / (1 + t * lr_decay)

    Args:
        params: tensors or parameter groups.
        lr: learning rate. Defaults to ``1e-2``.
        lr_decay: 1/t decay of the rate (t counts steps from 0). Defaults to ``0``.
        weight_decay: L2 penalty added to the gradient. Defaults to ``0``.
        initial_accumulator_value: starting value of ``s``. Defaults to ``0``.
        eps: added to the root. Defaults to ``1e-10``.
        maximize: ascend the objective instead. Defaults to ``False``.
        fused: see :class:`~chainrule.optim.Optimizer`. Defaults to ``None``.
    """

    _has_kernel = True

    def __init__(self, params: ParamsLike, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False, fused: bool | None = None):
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps, "maximize": maximize}, fused=fused)

    def _validate(self, group: dict[str, Any]) -> None:
        check_number("learning rate", group["lr"])
        check_number("lr_decay value", group["lr_decay"])
        check_number("weight_decay value", group["weight_decay"])
        check_number("initial_accumulator_value value", group["initial_accumulator_value"])
        check_number("epsilon value", group["eps"])
        _check_flag("maximize", group["maximize"])

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        rate = partial(_adagrad_lr, group["lr"], group["lr_decay"])
        return chain(tx.scale(_sign(group)), tx.add_decayed_weights(group["weight_decay"]),
                     tx.scale_by_adagrad(group["initial_accumulator_value"], group["eps"]),
                     tx.scale_by_learning_rate(rate))

    def _fused_update(self, group: dict[str, Any], flat: FlatBuffer, state: State) -> State:
        lr_state = state[3]
        rate = _adagrad_lr(group["lr"], group["lr_decay"], lr_state.count)
        _fused(kernels.adagrad, flat.data, flat.grad, state[2].sum_of_squares, _f32(_sign(group)),
               _f32(group["weight_decay"]), _f32(group["eps"]), _f32(-rate))
        return (*state[:3], lr_state._replace(count=lr_state.count + 1))
