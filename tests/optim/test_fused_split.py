"""A fused update split over the ops' threads gives the same bits as in one piece."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.autograd.ops import parallel
from chainrule.optim import optimizers

CASES = [(optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
         (optim.Adam, {"lr": 1e-2, "amsgrad": True, "weight_decay": 1e-3}),
         (optim.AdamW, {"lr": 1e-2}),
         (optim.RMSprop, {"lr": 1e-2, "centered": True, "momentum": 0.5}),
         (optim.Adagrad, {"lr": 0.1})]


def _train(make, options) -> list[np.ndarray]:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(7, 13), nn.Tanh(), nn.Linear(13, 3))
    opt = make(model.parameters(), **options)
    rng = np.random.default_rng(1)
    for _ in range(5):
        opt.zero_grad()
        x = cr.tensor(rng.standard_normal((6, 7)).astype(np.float32))
        (model(x) ** 2).mean().backward()
        opt.step()
    return [p.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("make,options", CASES)
def test_split_update_matches_one_piece(monkeypatch, make, options):
    whole = _train(make, options)
    monkeypatch.setattr(optimizers, "PARALLEL_SIZE", 0)
    monkeypatch.setattr(parallel, "width", lambda: 3)
    for ours, reference in zip(_train(make, options), whole, strict=True):
        np.testing.assert_array_equal(ours, reference)
