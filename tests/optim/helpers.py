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


def cr_model(weights: list[np.ndarray]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for k in range(0, len(weights), 2):
        lin = nn.Linear(weights[k].shape[1], weights[k].shape[0])
        lin.weight.data[...] = weights[k]
        lin.bias.data[...] = weights[k + 1]
        layers += [lin, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def torch_model(weights: list[np.ndarray]) -> Any:
    import torch

    layers: list[Any] = []
    for k in range(0, len(weights), 2):
        lin = torch.nn.Linear(weights[k].shape[1], weights[k].shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(weights[k]))
            lin.bias.copy_(torch.tensor(weights[k + 1]))
        layers += [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def groups_of(model: Any, options: dict[str, Any] | None) -> Any:
    """All parameters, or two groups (weights, biases) with per-group ``options``."""
    params = list(model.parameters())
    if options is None:
        return params
    return [{"params": [p for p in params if p.ndim == 2], **options.get("weights", {})},
            {"params": [p for p in params if p.ndim == 1], **options.get("biases", {})}]


def run_cr(make_opt: Callable[[Any], Any], steps: int = 200, seed: int = 0,
           groups: dict[str, Any] | None = None, before_step: Callable | None = None,
           make_sched: Callable[[Any], Any] | None = None,
           metric_sched: bool = False) -> np.ndarray:
    weights, x, y = problem(seed)
    model = cr_model(weights)
    opt = make_opt(groups_of(model, groups))
    sched = make_sched(opt) if make_sched else None
    rows = []
    for step in range(steps):
        xb, yb = batch(x, y, step)
        opt.zero_grad()
        loss = F.cross_entropy(model(cr.tensor(xb)), yb)
        loss.backward()
        if before_step is not None:
            before_step(list(model.parameters()))
        opt.step()
        if sched is not None:
            sched.step(loss.item()) if metric_sched else sched.step()
        rows.append(np.concatenate([p.data.ravel() for p in model.parameters()]))
    return np.array(rows)


def run_torch(make_opt: Callable[[Any], Any], steps: int = 200, seed: int = 0,
              groups: dict[str, Any] | None = None, before_step: Callable | None = None,
              make_sched: Callable[[Any], Any] | None = None,
              metric_sched: bool = False) -> np.ndarray:
    import torch

    weights, x, y = problem(seed)
    model = torch_model(weights)
    opt = make_opt(groups_of(model, groups))
    sched = make_sched(opt) if make_sched else None
    rows = []
    for step in range(steps):
        xb, yb = batch(x, y, step)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.tensor(xb)), torch.tensor(yb))
        loss.backward()
        if before_step is not None:
            before_step(list(model.parameters()))
        opt.step()
        if sched is not None:
            sched.step(loss.item()) if metric_sched else sched.step()
        rows.append(np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]))
    return np.array(rows)


def deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """The largest absolute difference between two trajectories, over all steps."""
    assert ours.shape == theirs.shape
    assert np.isfinite(ours).all() and np.isfinite(theirs).all()
    return float(np.abs(ours - theirs).max())
