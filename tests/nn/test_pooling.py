"""Pooling, resampling and channel-dropout layers against their torch counterparts."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from tests.nn.reference import check_module

torch = pytest.importorskip("torch")

CASES = [
    (lambda m: m.MaxPool2d(2), (2, 3, 6, 7)),
    (lambda m: m.MaxPool2d((3, 2), stride=(1, 3), padding=1, dilation=(1, 2)), (1, 2, 5, 7)),
    (lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 2, 7, 6)),
    (lambda m: m.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
    (lambda m: m.Upsample(scale_factor=2, mode="bilinear"), (1, 2, 3, 4)),
    (lambda m: m.Upsample(size=(5, 3)), (1, 2, 3, 4)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_pooling_layers_match_torch(make, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    check_module(make(nn), make(torch.nn), x)


def test_dropout2d_trains_and_evaluates():
    layer = nn.Dropout2d(0.25, generator=0)
    x = cr.ones(4, 8, 2, 2)
    y = layer(x).data
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    layer.eval()
    assert layer(x) is x
    assert repr(layer) == "Dropout2d(p=0.25)"


@pytest.mark.parametrize("call,message", [
    (lambda: nn.MaxPool2d(0), r"kernel_size"),
    (lambda: nn.AvgPool2d(2, ceil_mode=True), r"ceil_mode"),
    (lambda: nn.Upsample(), r"exactly one of size and scale_factor"),
    (lambda: nn.Upsample(size=2, mode="trilinear"), r"'trilinear'"),
    (lambda: nn.Dropout2d(2.0), r"\[0, 1\], got 2.0"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
