"""Networks with known functions, built by hand, so the explanations have exact answers."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import nn


def set_linear(layer: nn.Linear, weight, bias) -> None:
    layer.weight.data[...] = np.asarray(weight, dtype=layer.weight.data.dtype)
    layer.bias.data[...] = np.asarray(bias, dtype=layer.bias.data.dtype)


@pytest.fixture
def additive_net():
    """f(x) = relu(x0) + 2 relu(-x0) + 0.5 x1 + 0 * x2: additive in x0 and x1, no use of x2."""
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    set_linear(net[0], [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]], [0, 0, 0, 0])
    set_linear(net[2], [[1, 2, 0.5, -0.5]], [0])
    return net


def additive_truth(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    return np.maximum(x0, 0) + 2 * np.maximum(-x0, 0) + 0.5 * x1


@pytest.fixture
def threshold_classifier():
    """Two logits (0, 20 (x0 - 0.5)): class 1 exactly when x0 > 0.5; x1 unused."""
    net = nn.Sequential(nn.Linear(2, 2))
    set_linear(net[0], [[0, 0], [20, 0]], [0, -10])
    return net
