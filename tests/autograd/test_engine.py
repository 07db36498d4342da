"""The backward pass: order, fan-out, broadcasting, freeing the graph, hooks, ``grad``."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.engine import unbroadcast
from chainrule.autograd.function import Function


def test_a_chain_of_100000_ops_backpropagates_without_recursion():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_a_long_chain_can_be_dropped_without_backward():
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y  # deallocating the graph must not overflow the C stack


def test_fan_out_accumulates_like_the_copy_gate():
    x = cr.tensor([1.0, -2.0, 3.0], requires_grad=True)
    a = x * 2
    y = (a * a + a + x * x).sum()  # d/dx = 8x + 2 + 2x
    y.backward()
    np.testing.assert_allclose(x.grad, 10 * x.data + 2)


def test_same_tensor_as_both_inputs():
    x = cr.tensor([3.0], requires_grad=True)
    (x * x).backward()
    assert x.grad.tolist() == [6.0]
    x.grad = None
    (x - x).backward()
    assert x.grad.tolist() == [0.0]


def test_leaf_gradients_accumulate_in_place_across_backward_calls():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    grad = x.grad
    (x * x).sum().backward()
    assert x.grad is grad  # the same array: a flat-buffer view would stay a view
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    assert x.grad.dtype == np.float32


def test_first_gradient_is_owned_by_the_leaf():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x + 0.0
    y.backward(np.ones(2, dtype=np.float32))
    x.grad[0] = 5.0  # must not write into an array the engine or the caller still holds
    z = cr.tensor([1.0, 2.0], requires_grad=True)
    w = z + x.detach()
    upstream = np.ones(2, dtype=np.float32)
    w.backward(upstream)
    z.grad += 1
    np.testing.assert_array_equal(upstream, [1.0, 1.0])


def test_the_graph_is_freed_after_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_backward_through_a_freed_intermediate_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        (h * 2).sum().backward()


def test_backward_on_a_non_scalar_needs_grad():
    x = cr.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"one-element tensor.*shape \(1, 2\)"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"grad of shape \(2,\) does not match.*\(1, 2\)"):
        y.backward(np.ones(2))
    y.backward(cr.tensor([[1.0, -1.0]]))
    np.testing.assert_array_equal(x.grad, [[2.0, -2.0]])


def test_backward_on_a_one_element_non_scalar_is_allowed():
    x = cr.tensor([[2.0]], requires_grad=True)
    (x * x).backward()
    assert x.grad.tolist() == [[4.0]]


def test_backward_without_a_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.tensor([1.0]).sum().backward()
    x = cr.tensor([1.0], requires_grad=True)
    with cr.no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_leaves_that_do_not_require_grad_get_none():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    c = cr.tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


class _BroadcastAdd(Function):
    """A custom op that leaves the broadcasting reduction to the engine."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, g: np.ndarray) -> tuple:
        return g, g


def test_the_engine_unbroadcasts_gradients_once():
    a = cr.ones(1, 3, requires_grad=True)
    b = cr.ones(4, 1, 1, requires_grad=True)
    s = cr.tensor(2.0, requires_grad=True)
    (_BroadcastAdd.apply(_BroadcastAdd.apply(a, b), s)).sum().backward()
    assert a.grad.shape == (1, 3) and b.grad.shape == (4, 1, 1) and s.grad.shape == ()
    np.testing.assert_array_equal(a.grad, np.full((1, 3), 4.0))
    np.testing.assert_array_equal(b.grad, np.full((4, 1, 1), 3.0))
    assert s.grad == 12.0


def test_unbroadcast():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 3, 4)) is g
    with pytest.raises(RuntimeError, match=r"shape \(2, 3, 4\) cannot flow into shape \(5,\)"):
        unbroadcast(g, (5,))


# ************************************************************* hooks

def test_hook_observes_the_gradient():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(g.copy()))
    x.register_hook(lambda g: seen.append(g.copy()))
    (h * h).sum().backward()
    np.testing.assert_array_equal(seen[0], 2 * h.data)
    np.testing.assert_array_equal(seen[1], 6 * h.data)
    np.testing.assert_array_equal(x.grad, 6 * h.data)


def test_hook_can_replace_the_gradient_and_be_removed():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    handle = h.register_hook(lambda g: g * 0.5)
    h.sum().backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [1.5, 1.5])
    handle.remove()
    x.grad = None
    h.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_hook_on_a_leaf_changes_what_accumulates():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: -g)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [-2.0, -2.0])


def test_hook_sees_the_total_gradient_of_a_fan_out_once():
    x = cr.tensor([1.0], requires_grad=True)
    h = x * 1.0
    calls = []
    h.register_hook(lambda g: calls.append(g.item()))
    (h + h + h).backward()
    assert calls == [3.0]


def test_hook_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.tensor([1.0]).register_hook(print)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: np.ones(3))
    with pytest.raises(RuntimeError, match=r"hook returned a gradient of shape \(3,\), "
                                           r"expected \(2,\)"):
        x.sum().backward()


# ************************************************************* functional grad

def test_grad_returns_gradients_without_touching_dot_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, -1.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = cr.grad(y, [x, w])
    np.testing.assert_array_equal(gx.data, [3.0, -1.0])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0])
    assert x.grad is None and w.grad is None
    assert isinstance(gx, cr.Tensor) and not gx.requires_grad


def test_grad_of_an_intermediate_and_with_grad_outputs():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h * h
    (gh,) = cr.grad(y, h, grad_outputs=[np.array([1.0, 0.5], dtype=np.float32)])
    np.testing.assert_array_equal(gh.data, [4.0, 4.0])


def test_grad_unused_inputs():
    x = cr.tensor([1.0], requires_grad=True)
    z = cr.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="input 1 was not used.*allow_unused=True"):
        cr.grad(y, [x, z], retain_graph=True)
    gx, gz = cr.grad(y, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        cr.grad(y, [cr.tensor([1.0])])
