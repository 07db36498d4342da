"""Saliency is the engine's input gradient: checked against centred finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import nn
from chainrule.explain import saliency


def _net():
    import chainrule as cr

    cr.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.5), nn.Linear(8, 3)).double()
    return net.train()


def _outputs(net, x):
    import chainrule as cr

    net.eval()
    with cr.no_grad():
        return net(cr.Tensor(x, dtype=np.float64)).data


def test_gradient_equals_centred_finite_differences():
    net = _net()
    x = np.random.default_rng(0).normal(size=(5, 4))
    result = saliency(net, x)
    assert net.training  # the training flag is restored (dropout was off during saliency)
    target = _outputs(net, x).argmax(axis=1)
    np.testing.assert_array_equal(result.target, target)
    eps = 1e-6
    numeric = np.zeros_like(x)
    for j in range(4):
        step = np.zeros_like(x)
        step[:, j] = eps
        up, down = _outputs(net, x + step), _outputs(net, x - step)
        numeric[:, j] = (up - down)[np.arange(5), target] / (2 * eps)
    np.testing.assert_allclose(result.gradient, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.gradient_x_input, numeric * x, rtol=1e-6, atol=1e-9)


def test_explicit_target_and_one_sample():
    net = _net()
    x = np.random.default_rng(1).normal(size=(1, 4))
    result = saliency(net, x, target=2)
    w1, b1 = net[0].weight.data, net[0].bias.data
    w2 = net[3].weight.data
    expected = (w2[2] * (1 - np.tanh(x @ w1.T + b1) ** 2)) @ w1
    np.testing.assert_allclose(result.gradient, expected, rtol=1e-10)
    with pytest.raises(ValueError, match="x\\[None\\]"):
        saliency(net, x[0])
