"""Frozen parameters (requires_grad False) are skipped entirely by every optimizer and path.

The reference: an optimizer over the trainable parameters only. With some
parameters of a group frozen, the trainable ones must follow it bit for bit,
and the frozen ones (and their moments) must not move, weight decay included.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim

OPTIMIZERS = [
    (optim.Adam, {"lr": 1e-2, "weight_decay": 0.1}),
    (optim.AdamW, {"lr": 1e-2, "amsgrad": True}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True}),
    (optim.RMSprop, {"lr": 1e-2, "momentum": 0.5, "weight_decay": 0.1}),
    (optim.Adagrad, {"lr": 0.1, "weight_decay": 0.1}),
]


def _model() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def _train(model: nn.Module, opt: optim.Optimizer, steps: int = 4) -> None:
    rng = np.random.default_rng(1)
    for _ in range(steps):
        x, y = rng.standard_normal((5, 6)).astype(np.float32), rng.integers(0, 3, 5)
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("fused", [None, False])
@pytest.mark.parametrize("make,options", OPTIMIZERS)
def test_frozen_parameters_are_skipped_entirely(make, options, fused):
    ours, reference = _model(), _model()
    ours[2].freeze()  # a frozen layer between two trainable ones: two spans
    reference[2].freeze()
    frozen_before = [p.data.copy() for p in ours[2].parameters()]
    opt = make(ours.parameters(), fused=fused, **options)
    ref_opt = make([p for p in reference.parameters() if p.requires_grad], fused=fused,
                   **options)
    _train(ours, opt)
    _train(reference, ref_opt)
    for p, q in zip(ours.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    for p, before in zip(ours[2].parameters(), frozen_before, strict=True):
        np.testing.assert_array_equal(p.data, before)
    state = opt.state_dict()["state"]
    lo, hi = 6 * 8 + 8, 6 * 8 + 8 + 8 * 8 + 8  # layer 2 in the flat buffer
    for array in _arrays(state):
        if array.shape == (opt.flat_buffers[0].data.size,):
            assert not array[lo:hi].any(), "a frozen parameter's moments moved"


def _arrays(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _arrays(v)
    elif isinstance(tree, (list, tuple)):
        for v in tree:
            yield from _arrays(v)
    elif isinstance(tree, np.ndarray):
        yield tree


def test_all_frozen_group_does_not_move_and_unfreezing_resumes():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.1, weight_decay=0.5)
    model.freeze()
    before = [p.data.copy() for p in model.parameters()]
    model.eval()
    opt.step()
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)
    model.unfreeze()
    _train(model, opt, steps=1)
    assert any(not np.array_equal(p.data, b) for p, b in zip(model.parameters(), before,
                                                             strict=True))
