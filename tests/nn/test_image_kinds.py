"""The image layer kinds in the registry: config validation, (C, H, W) shape tracking, a
tiny CNN config trained for a few steps."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn
from chainrule.config import validate
from chainrule.config.build import build_data, build_model
from chainrule.config.build_optim import build_optimizer

TINY = """
name = "tiny_cnn"
[data]
dataset = "digits"
flatten = false
[model]
layers = [
  {type = "reshape", shape = [1, 8, 8]},
  {type = "conv2d", out_channels = 6, kernel_size = 3, padding = "same"},
  {type = "batchnorm2d"},
  {type = "relu"},
  {type = "maxpool2d"},
  {type = "dropout2d", p = 0.1},
  {type = "conv2d", out_channels = 8, kernel_size = [2, 3], stride = 1, groups = 2},
  {type = "avgpool2d", kernel_size = 1},
  {type = "adaptive_avgpool2d", output_size = [2, 1]},
  {type = "linear", out_features = 10},
]
[optimizer]
name = "adam"
lr = 1e-2
[train]
epochs = 1
seed = 0
"""


def test_tiny_cnn_config_builds_with_tracked_shapes_and_trains():
    cfg = validate(tomllib.loads(TINY))
    splits = build_data(cfg.data, seed=0)
    assert splits.train.x.shape[1:] == (1, 8, 8)  # gray images get a channel axis
    cr.manual_seed(0)
    model = build_model(cfg.model, splits.train.x.shape[1:], 10)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Reshape", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Dropout2d",
                     "Conv2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten", "Linear"]
    assert model[10].in_features == 8 * 2 * 1
    opt = build_optimizer(cfg.optimizer, model)
    x, y = splits.train.x[:64].astype(np.float32), splits.train.y[:64]
    losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0]


@pytest.mark.parametrize("layer,message", [
    ('{type = "conv2d", out_channels = 4, kernel_size = 9}', r"does not fit samples"),
    ('{type = "conv2d", kernel_size = 3}', r"out_channels"),
    ('{type = "maxpool2d", kernel_size = 2, padding = 2}', r"at most half"),
    ('{type = "reshape", shape = [3, 8, 8]}', r"reshape to \(3, 8, 8\) does not fit"),
])
def test_bad_image_layers_are_named(layer, message):
    text = TINY.replace('{type = "reshape", shape = [1, 8, 8]},',
                        '{type = "reshape", shape = [1, 8, 8]}, ' + layer + ",")
    with pytest.raises(Exception, match=message):
        cfg = validate(tomllib.loads(text))
        build_model(cfg.model, (8, 8), 10)


def test_conv_without_channels_says_to_reshape():
    cfg = validate(tomllib.loads(TINY.replace('{type = "reshape", shape = [1, 8, 8]},', "")))
    with pytest.raises(ValueError, match=r"Conv2d needs samples of shape \(C, H, W\), got "
                                         r"\(8, 8\); add \{type = \"reshape\""):
        build_model(cfg.model, (8, 8), 10)


def test_reshape_module():
    assert nn.Reshape((1, -1))(cr.ones(2, 3, 4)).shape == (2, 1, 12)
    with pytest.raises(ValueError, match=r"samples of shape \(3, 4\) \(12 values\) do not fit"):
        nn.Reshape((5,))(cr.ones(2, 3, 4))
    with pytest.raises(ValueError, match="at most one -1"):
        nn.Reshape((-1, -1))
