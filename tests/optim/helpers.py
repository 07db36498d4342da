"""One small MLP problem run step for step in chainrule and in torch.

Both sides start from the same weights and see the same mini-batches; a run
returns the trajectory of all parameters (one row per step), so two runs can
be compared at every step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import chainrule as cr
from chainrule import functional as F
from chainrule import nn

SIZES = (8, 16, 16, 3)
BATCH, N_BATCHES = 16, 4


def problem(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Initial weights (torch's Linear init), inputs and labels."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.normal(size=(BATCH * N_BATCHES, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH * N_BATCHES)
    return weights, x, y


def batch(x: np.ndarray, y: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    i = step % N_BATCHES
    return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]


def _mlp(weights: list[np.ndarray], nn_: Any, assign: Callable[[Any, np.ndarray], None]) -> Any:
    """``Linear, ReLU, ..., Linear`` in the library of ``nn_`` (chainrule's or torch's)."""
    layers: list[Any] = []
    for k in range(0, len(weights), 2):
        lin = nn_.Linear(weights[k].shape[1], weights[k].shape[0])
        assign(lin.weight, weights[k])
        assign(lin.bias, weights[k + 1])
        layers += [lin, nn_.ReLU()]
    return nn_.Sequential(*layers[:-1])


def cr_model(weights: list[np.ndarray]) -> nn.Sequential:
    return _mlp(weights, nn, lambda p, w: p.data.__setitem__(..., w))


def torch_model(weights: list[np.ndarray]) -> Any:
    import torch

    def assign(p: Any, w: np.ndarray) -> None:
        with torch.no_grad():
            p.copy_(torch.tensor(w))

    return _mlp(weights, torch.nn, assign)


def groups_of(model: Any, options: dict[str, Any] | None) -> Any:
    """All parameters, or two groups (weights, biases) with per-group ``options``."""
    params = list(model.parameters())
    if options is None:
        return params
    return [{"params": [p for p in params if p.ndim == 2], **options.get("weights", {})},
            {"params": [p for p in params if p.ndim == 1], **options.get("biases", {})}]


def _cr_step(model: Any, xb: np.ndarray, yb: np.ndarray) -> Any:
    return F.cross_entropy(model(cr.tensor(xb)), yb)


def _torch_step(model: Any, xb: np.ndarray, yb: np.ndarray) -> Any:
    import torch

    return torch.nn.functional.cross_entropy(model(torch.tensor(xb)), torch.tensor(yb))


def _run(make_model: Callable, loss_of: Callable, as_numpy: Callable,
         make_opt: Callable[[Any], Any], steps: int = 200, seed: int = 0,
         groups: dict[str, Any] | None = None, before_step: Callable | None = None,
         make_sched: Callable[[Any], Any] | None = None,
         metric_sched: bool = False) -> np.ndarray:
    """The trajectory of one side: ``steps`` optimizer steps of the same loop."""
    weights, x, y = problem(seed)
    model = make_model(weights)
    opt = make_opt(groups_of(model, groups))
    sched = make_sched(opt) if make_sched else None
    rows = []
    for step in range(steps):
        xb, yb = batch(x, y, step)
        opt.zero_grad()
        loss = loss_of(model, xb, yb)
        loss.backward()
        if before_step is not None:
            before_step(list(model.parameters()))
        opt.step()
        if sched is not None:
            sched.step(loss.item()) if metric_sched else sched.step()
        rows.append(np.concatenate([as_numpy(p).ravel() for p in model.parameters()]))
    return np.array(rows)


def run_cr(make_opt: Callable[[Any], Any], **options: Any) -> np.ndarray:
    """chainrule's trajectory; ``options`` as :func:`_run`'s (steps, seed, groups, before_step,
    make_sched, metric_sched)."""
    return _run(cr_model, _cr_step, lambda p: p.data, make_opt, **options)


def run_torch(make_opt: Callable[[Any], Any], **options: Any) -> np.ndarray:
    """torch's trajectory of the same run as :func:`run_cr`."""
    return _run(torch_model, _torch_step, lambda p: p.detach().numpy(), make_opt, **options)


def deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """The largest absolute difference between two trajectories, over all steps."""
    assert ours.shape == theirs.shape
    assert np.isfinite(ours).all() and np.isfinite(theirs).all()
    return float(np.abs(ours - theirs).max())
