"""The parallel compilation of each fused kernel gives the same bits as the serial one."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.optim import kernels

SIZE = 1 << 17  # at the parallel threshold

CASES = [
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    (optim.Adam, {"lr": 1e-2, "amsgrad": True, "weight_decay": 1e-3}),
    (optim.AdamW, {"lr": 1e-2}),
    (optim.RMSprop, {"lr": 1e-2, "centered": True, "momentum": 0.5}),
    (optim.Adagrad, {"lr": 1e-1, "weight_decay": 1e-3}),
]


def _trajectory(cls, kwargs, parallel_min_size, monkeypatch):
    monkeypatch.setattr(kernels, "PARALLEL_MIN_SIZE", parallel_min_size)
    rng = np.random.default_rng(0)
    w = cr.tensor(rng.standard_normal(SIZE), requires_grad=True)
    opt = cls([w], **kwargs)
    for _ in range(4):
        opt.zero_grad()
        w.grad[...] = rng.standard_normal(SIZE).astype(np.float32)
        opt.step()
    return w.data.copy()


@pytest.mark.parametrize("cls, kwargs", CASES, ids=[c.__name__ for c, _ in CASES])
def test_parallel_kernel_matches_serial_bit_for_bit(cls, kwargs, monkeypatch):
    serial = _trajectory(cls, kwargs, None, monkeypatch)
    parallel = _trajectory(cls, kwargs, SIZE, monkeypatch)
    np.testing.assert_array_equal(parallel, serial)
    assert np.abs(serial - _start()).max() > 0  # the steps moved the weights


def _start():
    return np.random.default_rng(0).standard_normal(SIZE).astype(np.float32)
