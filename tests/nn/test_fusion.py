"""nn.Sequential runs Conv2d, ReLU[, MaxPool2d(2)] as one op, with the chain's exact results."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


def _net() -> nn.Sequential:
    cr.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 16, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                         nn.Linear(16 * 6 * 5, 10))


def _one_by_one(model: nn.Sequential, x: cr.Tensor) -> cr.Tensor:
    for module in model:
        x = module(x)
    return x


def _ops(out: cr.Tensor) -> list[str]:
    """The op types of the graph behind ``out``, output first."""
    seen, stack, names = set(), [out], []
    while stack:
        t = stack.pop()
        ctx = getattr(t, "_ctx", None)
        if ctx is None or id(ctx) in seen:
            continue
        seen.add(id(ctx))
        names.append(type(ctx).__name__)
        stack.extend(ctx.inputs)
    return names


def test_fused_run_gives_the_chain_results_bit_for_bit():
    x = np.random.default_rng(1).standard_normal((6, 3, 14, 12)).astype(np.float32)
    results = []
    for run in (lambda m, t: m(t), _one_by_one):
        model = _net()
        cr.manual_seed(5)  # same dropout mask
        out = run(model, cr.tensor(x))
        out.backward(np.ones(out.shape, np.float32))
        results.append([out.data] + [p.grad for p in model.parameters()])
    for ours, chain in zip(*results, strict=True):
        np.testing.assert_array_equal(ours, chain)


def test_both_runs_are_fused():
    out = _net()(cr.ones(2, 3, 14, 12))
    assert _ops(out).count("Conv2dReLU") == 2
    assert "ReLU" not in _ops(out) and "MaxPool2d" not in _ops(out)


@pytest.mark.parametrize("hooked", [0, 1, 4])
def test_a_hook_on_any_module_of_a_run_keeps_the_layers_apart(hooked):
    model = _net()
    seen = []
    model[hooked].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    out = model(cr.ones(2, 3, 14, 12))
    expected = {0: (2, 8, 12, 10), 1: (2, 8, 12, 10), 4: (2, 16, 6, 5)}[hooked]
    assert seen == [expected]
    ops = _ops(out)
    if hooked == 4:  # the pooling runs apart, its conv and ReLU still as one
        assert ops.count("Conv2dReLU") == 2 and ops.count("MaxPool2d") == 1
    else:  # the other run still fuses
        assert ops.count("Conv2dReLU") == 1 and ops.count("ReLU") == 1


def test_only_the_exact_classes_and_a_2x2_pool_fuse():
    class MyReLU(nn.ReLU):
        pass

    cr.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), MyReLU(), nn.Conv2d(2, 2, 3), nn.ReLU(),
                          nn.MaxPool2d(3))
    ops = _ops(model(cr.ones(1, 1, 12, 12)))
    assert ops[0] == "MaxPool2d" and ops.count("Conv2dReLU") == 1 and "ReLU" in ops
