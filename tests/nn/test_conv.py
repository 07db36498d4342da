"""Convolution layers against their torch counterparts: outputs, gradients, init, repr."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from tests.nn.reference import check_module, copy_to_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")

CASES = [
    (lambda m: m.Conv2d(3, 4, 3), (2, 3, 7, 6)),
    (lambda m: m.Conv2d(4, 6, (2, 3), stride=(2, 1), padding=1, dilation=(1, 2), groups=2,
                        bias=False), (2, 4, 7, 8)),
    (lambda m: m.Conv2d(2, 3, 4, padding="same"), (1, 2, 5, 5)),
    (lambda m: m.Conv1d(3, 5, 3, stride=2, padding=1), (2, 3, 9)),
    (lambda m: m.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), (2, 4, 3, 4)),
    (lambda m: m.ConvTranspose2d(4, 6, 2, stride=2, groups=2), (1, 4, 3, 3)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_conv_layers_match_torch(make, shape):
    ours, theirs = make(nn), make(torch.nn)
    copy_to_torch(ours, theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    check_module(ours, theirs, x)


@pytest.mark.parametrize("make", [lambda m: m.Conv2d(16, 32, 3),
                                  lambda m: m.ConvTranspose2d(32, 16, (3, 3), groups=2)])
def test_default_init_is_torchs(make):
    cr.manual_seed(0)
    ours, theirs = make(nn), make(torch.nn)
    w = ours.weight.data
    fan_in = w.shape[1] * w.shape[2] * w.shape[3]
    bound = 1 / math.sqrt(fan_in)
    for p in (w, ours.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.9 * bound
    assert w.var() == pytest.approx(theirs.weight.detach().numpy().var(), rel=0.1)
    assert ours.weight.shape == tuple(theirs.weight.shape)


def test_seeded_init_is_deterministic_and_repr_is_torchs():
    a, b = nn.Conv2d(2, 3, 3, generator=7), nn.Conv2d(2, 3, 3, generator=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert repr(nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2, bias=False)) == \
        "Conv2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)"
    assert repr(nn.Conv1d(2, 4, 3)) == "Conv1d(2, 4, kernel_size=(3,), stride=(1,))"


@pytest.mark.parametrize("call,message", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"in_channels=3 is not divisible by groups=2"),
    (lambda: nn.Conv2d(0, 4, 3), r"in_channels must be a positive integer"),
    (lambda: nn.Conv2d(2, 4, 0), r"kernel_size"),
    (lambda: nn.Conv2d(2, 4, 3, padding_mode="reflect"), r"padding_mode='zeros'"),
    (lambda: nn.ConvTranspose2d(2, 4, 3, padding="same"), r"padding must be an int"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_state_dict_uses_torchs_names():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2, 3))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "4.weight", "4.bias"]
