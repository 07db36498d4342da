"""Tensor: construction, dtypes, conversions, comparisons and in-place rules."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


def test_floating_data_becomes_float32_and_integers_stay_integers():
    assert cr.tensor([1.0, 2.0]).dtype == np.float32
    assert cr.tensor(np.ones(3, dtype=np.float64)).dtype == np.float32
    assert cr.tensor([1, 2]).dtype == np.int64
    assert cr.tensor([True, False]).dtype == np.bool_
    assert cr.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert cr.tensor(np.ones(2), dtype="float64", requires_grad=True).dtype == np.float64
    assert cr.Tensor(np.ones(2, dtype=np.float16)).dtype == np.float32


def test_tensor_copies_its_data():
    arr = np.ones(3, dtype=np.float32)
    t = cr.tensor(arr)
    arr[0] = 5.0
    assert t.data[0] == 1.0
    src = cr.tensor([1.0, 2.0])
    cr.tensor(src).data[0] = 7.0
    assert src.data[0] == 1.0


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating tensors can require grad.*int64"):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        cr.tensor([True]).requires_grad_()


def test_requires_grad_false_only_on_leaves():
    x = cr.tensor([1.0], requires_grad=True)
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = cr.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only allowed on leaf tensors"):
        y.requires_grad_(False)


def test_object_data_is_rejected():
    with pytest.raises(TypeError, match="cannot make a tensor"):
        cr.tensor([{"a": 1}])


def test_properties_and_conversions():
    x = cr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert x.size() == (2, 3) and x.size(-1) == 3 and x.dim() == 2
    assert x.T.shape == (3, 2) and x.is_leaf and not (x * 1).is_leaf
    assert x.numpy() is x.data
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x[1, 2].item() == 6.0 and float(x[0, 0]) == 1.0 and int(x[1, 1]) == 5
    with pytest.raises(ValueError, match=r"one element, got shape \(2, 3\)"):
        x.item()
    with pytest.raises(TypeError, match="0-d"):
        len(cr.tensor(1.0))
    assert "requires_grad=True" in repr(x) and "dtype=int64" in repr(cr.tensor([1]))
    assert np.asarray(x).dtype == np.float32 and np.asarray(x, dtype=np.float64).dtype == "f8"


def test_detach_shares_data_and_leaves_the_graph():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    assert x.detach().data is x.data


def test_astype_is_differentiable_and_casts_the_gradient_back():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    assert y.float().dtype == np.float32
    labels = x.astype(np.int64)
    assert labels.dtype == np.int64 and not labels.requires_grad


def test_comparisons_return_boolean_tensors_without_grad():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out in (x > 1.5, x >= 2, x < x * 2, x <= 1, x == 2.0, x != cr.tensor([1.0, 0.0, 3.0])):
        assert isinstance(out, cr.Tensor)
        assert out.dtype == np.bool_ and not out.requires_grad and out.is_leaf
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])
    assert x.argmax().item() == 2 and x.argmin().item() == 0


def test_setitem_refuses_tensors_that_require_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place assignment"):
        x[0] = 5.0
    y = cr.tensor([1.0, 2.0])
    y[0] = cr.tensor(5.0)
    assert y.tolist() == [5.0, 2.0]


def test_zero_grad_keeps_the_array():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    x.zero_grad_()
    assert x.grad is g and not g.any()


def test_unary_plus_and_tensors_in_sets():
    x = cr.tensor([1.0])
    assert +x is x
    assert len({x, cr.tensor([1.0])}) == 2


def test_the_three_construction_paths_set_the_same_slots():
    # Tensor(), Tensor._wrap and Function.apply's inlined copy of tensor._init_slots
    from chainrule.autograd.tensor import Tensor

    def slots(t):
        names = [n for n in Tensor.__slots__ if n not in ("data", "__weakref__")]
        return {n: getattr(t, n) for n in names}  # AttributeError if a path forgot one

    leaf = Tensor(np.ones(2))
    wrapped = Tensor._wrap(np.ones(2))
    made = cr.exp(cr.ones(2))  # an op output without a graph
    assert slots(leaf) == slots(wrapped) == slots(made)
    assert slots(leaf) == {"grad": None, "requires_grad": False, "_ctx": None, "_hooks": None,
                           "_tangent": None}
