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


def test_backward_accumulates_into_the_buffer_after_zero_grad():
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


def test_zero_grad_fills_the_same_buffer_when_nothing_outside_holds_it():
    w, b, v = params = _params()
    flat = FlatBuffer(params)
    (cr.ones(5, 2) @ w.T + b.sum() + v.sum()).sum().backward()
    buffer = id(flat.grad)
    flat.zero_grad()
    assert id(flat.grad) == buffer and not flat.grad.any()
    assert all(p.grad.base is flat.grad for p in params)


def test_a_write_into_grad_after_zero_grad_is_accumulated_onto_as_torch():
    # issue 17: w.grad[...] += 1 between zero_grad and backward was overwritten
    from chainrule import optim

    w = cr.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    opt.zero_grad()
    w.grad[...] += 1
    (w * 1).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


@pytest.mark.parametrize("held", ["grad", "slice", "buffer"])
def test_an_array_taken_from_grad_keeps_its_values_through_zero_grad_and_backward(held):
    # issue 17: an array taken from .grad before zero_grad changed under the caller
    w, b, v = params = _params()
    flat = FlatBuffer(params)
    (cr.ones(5, 2) @ w.T + b.sum() + v.sum()).sum().backward()
    taken = {"grad": lambda: w.grad, "slice": lambda: v.grad[1:3],
             "buffer": lambda: flat.grad}[held]()
    before = taken.copy()
    flat.zero_grad()
    assert not any(p.grad.any() for p in params)
    (cr.ones(5, 2) @ w.T * 7 + v.sum() * 3).sum().backward()
    np.testing.assert_array_equal(taken, before)
    np.testing.assert_array_equal(v.grad, np.full(4, 3.0 * 15))
    assert all(p.grad.base is flat.grad for p in params)
    flat.check()


def test_functional_grad_does_not_touch_dot_grad():
    w, b, v = params = _params()
    flat = FlatBuffer(params)
    (gw,) = cr.grad((cr.ones(5, 2) @ w.T).sum(), [w])
    assert not flat.grad.any(), "grad() must not write into .grad"
    np.testing.assert_array_equal(gw.data, np.full((3, 2), 5.0))


def test_an_untouched_parameter_is_not_moved_by_a_step_after_zero_grad():
    from chainrule import optim

    w, b, v = params = _params()
    opt = optim.SGD(params, lr=0.1)
    (v * v).sum().backward()  # leaves a nonzero gradient in v
    opt.zero_grad()
    before = v.data.copy()
    (cr.ones(5, 2) @ w.T + b.sum()).sum().backward()
    opt.step()
    np.testing.assert_array_equal(v.data, before)


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
