"""FlatBuffer: parameters and gradients as views into one contiguous buffer each."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.flat import FlatBuffer


def _params() -> list[cr.Tensor]:
    rng = np.random.default_rng(0)
    return [cr.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 2), (2,), (4,)]]


def test_tensors_become_views_and_keep_their_values():
    params = _params()
    before = [p.data.copy() for p in params]
    flat = FlatBuffer(params)
    assert flat.data.shape == (12,) and flat.grad.shape == (12,)
    assert flat.offsets.tolist() == [0, 6, 8, 12]
    for p, b in zip(params, before, strict=True):
        np.testing.assert_array_equal(p.data, b)
        assert np.shares_memory(p.data, flat.data) and np.shares_memory(p.grad, flat.grad)
    flat.data[:] = 0.0
    assert not any(p.data.any() for p in params)
    flat.check()


def test_backward_accumulates_into_the_buffer_and_zero_grad_is_one_fill():
    w, b, _ = params = _params()
    flat = FlatBuffer(params)
    x = cr.ones(5, 2)
    (x @ w.T + b[0]).sum().backward()
    np.testing.assert_array_equal(flat.grad[:6].reshape(3, 2), np.full((3, 2), 5.0))
    assert flat.grad[6] == 15.0
    flat.zero_grad()
    assert not w.grad.any()
    (x @ w.T).sum().backward()
    assert np.shares_memory(w.grad, flat.grad)
    flat.check()


def test_an_existing_buffer_is_reused_and_existing_grads_kept():
    params = _params()
    (params[1] * 2).sum().backward()
    first = FlatBuffer(params)
    np.testing.assert_array_equal(params[1].grad, [2.0, 2.0])
    second = FlatBuffer(params)
    assert second.data is first.data and second.grad is first.grad


def test_check_catches_a_rebound_parameter():
    params = _params()
    flat = FlatBuffer(params)
    params[2].data = params[2].data.copy()
    with pytest.raises(RuntimeError, match=r"parameter 2 \(shape \(4,\)\).*p.data\[...\]"):
        flat.check()


def test_flat_buffer_errors():
    with pytest.raises(ValueError, match="at least one tensor"):
        FlatBuffer([])
    with pytest.raises(TypeError, match="floating tensors of one dtype"):
        FlatBuffer([cr.ones(2), cr.ones(2, dtype=np.float64)])
    p = cr.ones(2)
    with pytest.raises(ValueError, match="listed twice"):
        FlatBuffer([p, p])
