"""Full-batch methods: scipy.optimize on a model's flattened parameters, and Newton's method.

The model's parameters are gathered into one float64 vector for scipy; every
evaluation writes the vector back into the parameters (in their own dtype),
runs the loss on the whole data set and returns the engine's exact gradient.
Curvature comes from finite differences of exact gradients: a Hessian-vector
product ``(g(x + h v) - g(x - h v)) / 2h`` for Newton-CG, the full Hessian one
column at a time for :func:`newton` (exact for a quadratic, whose gradient is
linear).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor

LossFn = Callable[[Tensor, Any], Tensor]
_METHODS = ("L-BFGS-B", "CG", "BFGS", "Newton-CG")


class FlatObjective:
    """A model's loss on fixed data as a function of one float64 parameter vector.

    Args:
        model: a callable with ``parameters()`` (an ``nn.Module``).
        loss_fn: ``loss_fn(model(inputs), targets) -> scalar Tensor``.
        data: ``(inputs, targets)``, the whole batch.
    """

    def __init__(self, model: Any, loss_fn: LossFn, data: Sequence[Any]):
        if not hasattr(model, "parameters") or not callable(model):
            raise TypeError(f"expected a model with parameters() (an nn.Module), got "
                            f"{type(model).__name__}")
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("data must be a pair (inputs, targets) holding the whole batch")
        self.params = [p for p in model.parameters() if p.requires_grad]
        if not self.params:
            raise ValueError("the model has no parameters that require grad")
        self.model, self.loss_fn, self.data = model, loss_fn, data
        self.sizes = [p.data.size for p in self.params]
        self.dtype = np.result_type(*[p.data.dtype for p in self.params])
        self.evaluations = 0

    def get(self) -> np.ndarray:
        """The parameters as one float64 vector."""
        return np.concatenate([p.data.ravel() for p in self.params]).astype(np.float64)

    def set(self, x: np.ndarray) -> None:
        """Write ``x`` into the parameters, in place and in their dtypes."""
        start = 0
        for p, n in zip(self.params, self.sizes, strict=True):
            p.data[...] = x[start:start + n].reshape(p.data.shape)
            start += n

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``(loss, gradient)`` at ``x``, both float64."""
        self.set(x)
        for p in self.params:
            if p.grad is not None:
                p.grad[...] = 0
        loss = self.loss_fn(self.model(self.data[0]), self.data[1])
        loss.backward()
        self.evaluations += 1
        grad = np.concatenate([(p.grad if p.grad is not None else np.zeros_like(p.data)).ravel()
                               for p in self.params]).astype(np.float64)
        return float(loss.item()), grad

    def step_size(self, x: np.ndarray, v: np.ndarray) -> float:
        """A finite-difference step along ``v``: cube root of the dtype's epsilon, scaled."""
        h = float(np.finfo(self.dtype).eps) ** (1 / 3)
        return h * max(1.0, float(np.linalg.norm(x))) / max(float(np.linalg.norm(v)), 1e-300)

    def hessp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Hessian-vector product by central differences of exact gradients."""
        h = self.step_size(x, v)
        g_plus, g_minus = self(x + h * v)[1], self(x - h * v)[1]
        self.set(x)
        return (g_plus - g_minus) / (2 * h)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """The full (symmetrised) Hessian, one central difference per parameter."""
        n = x.size
        hess = np.empty((n, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = 1.0
            hess[:, j] = self.hessp(x, e)
        return (hess + hess.T) / 2


def minimize(model: Any, loss_fn: LossFn, data: Sequence[Any], method: str = "L-BFGS-B", *,
             tol: float | None = None, max_iter: int | None = None,
             callback: Callable[[np.ndarray], Any] | None = None,
             options: dict[str, Any] | None = None) -> Any:
    """Minimise ``loss_fn(model(inputs), targets)`` over all parameters with scipy.optimize.

    Full batch and deterministic, as second-order methods need. The model is
    left at the solution (``result.x``, written back into its parameters).

    Args:
        model: a callable with ``parameters()`` (an ``nn.Module``).
        loss_fn: e.g. ``F.cross_entropy``.
        data: ``(inputs, targets)``, the whole data set.
        method: ``"L-BFGS-B"``, ``"CG"``, ``"BFGS"`` or ``"Newton-CG"`` (Hessian-vector
            products by finite differences of gradients). Defaults to ``"L-BFGS-B"``.
        tol: scipy's tolerance. Defaults to scipy's.
        max_iter: iteration cap (``options["maxiter"]``). Defaults to scipy's.
        callback: called with the parameter vector after each iteration.
        options: further scipy options.

    Returns:
        scipy's ``OptimizeResult`` (``x``, ``fun``, ``jac``, ``nit``, ``success``, ...).
    """
    if method not in _METHODS:
        raise ValueError(f"minimize: unknown method {method!r}; choose one of {list(_METHODS)}")
    objective = FlatObjective(model, loss_fn, data)
    opts = dict(options or {})
    if max_iter is not None:
        opts["maxiter"] = max_iter
    hessp = objective.hessp if method == "Newton-CG" else None
    import scipy.optimize  # imported here: it is slow to import and rarely needed

    result = scipy.optimize.minimize(objective, objective.get(), method=method, jac=True,
                                     hessp=hessp, tol=tol, callback=callback, options=opts)
    objective.set(result.x)
    return result


def hessian(model: Any, loss_fn: LossFn, data: Sequence[Any]) -> np.ndarray:
    """The Hessian of the loss in all parameters (float64, by differences of exact gradients).

    It has ``n^2`` entries and costs ``2n`` backward passes: for small models.
    """
    objective = FlatObjective(model, loss_fn, data)
    x = objective.get()
    hess = objective.hessian(x)
    objective.set(x)
    return hess


def newton(model: Any, loss_fn: LossFn, data: Sequence[Any], steps: int = 1,
           damping: float = 0.0) -> list[float]:
    """Newton's method ``x <- x - (H + damping I)^-1 g`` with the exact (finite-difference) Hessian.

    On a quadratic loss one step lands on the minimum: no learning rate to tune
    (the decks' point), at ``O(n^2)`` memory and ``O(n^3)`` time per step.

    Args:
        model: a small model (``n`` parameters means an ``n x n`` Hessian).
        loss_fn: the loss, ``loss_fn(model(inputs), targets)``.
        data: ``(inputs, targets)``.
        steps: Newton steps to take. Defaults to ``1``.
        damping: Levenberg-Marquardt term for indefinite Hessians. Defaults to ``0``.

    Returns:
        The loss before the first step and after each step.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"newton: steps must be a positive int, got {steps!r}")
    if not damping >= 0:
        raise ValueError(f"newton: damping must be non-negative, got {damping!r}")
    objective = FlatObjective(model, loss_fn, data)
    x = objective.get()
    loss, grad = objective(x)
    losses = [loss]
    for _ in range(steps):
        hess = objective.hessian(x) + damping * np.eye(x.size)
        try:
            x = x - np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError as e:
            raise ValueError("newton: the Hessian is singular; pass damping > 0") from e
        loss, grad = objective(x)
        losses.append(loss)
    return losses
