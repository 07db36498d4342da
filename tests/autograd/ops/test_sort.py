"""sort, argsort, topk, argmax/argmin, prod, any and all against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_jvp, check_op, shapes, torch


def _dim(data, shape):
    return data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000), descending=st.booleans())
def test_sort(data, shape, seed, descending):
    dim = _dim(data, shape)
    check_op([shape], lambda a: torch.sort(a, dim, descending=descending).values,
             lambda a: cr.sort(a, dim, descending=descending).values, seed=seed)
    if torch is not None:
        x = np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)
        ours = cr.argsort(cr.tensor(x), dim=dim, descending=descending)
        np.testing.assert_array_equal(ours.data, torch.argsort(torch.tensor(x), dim=dim,
                                                               descending=descending).numpy())


def test_sort_is_stable_and_puts_nan_last_like_torch():
    values = [3.0, 1.0, np.nan, 1.0, 3.0, -np.inf]
    for descending in (False, True):
        ours = cr.tensor(values).sort(descending=descending)
        if torch is None:
            pytest.skip("torch is not installed")
        theirs = torch.sort(torch.tensor(values), descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000), largest=st.booleans())
def test_topk(data, shape, seed, largest):
    dim = _dim(data, shape)
    k = data.draw(st.integers(0, shape[dim] if shape else 1))
    check_op([shape], lambda a: torch.topk(a, k, dim, largest=largest).values,
             lambda a: a.topk(k, dim=dim, largest=largest).values, seed=seed)


def test_topk_indices_and_errors():
    x = cr.tensor([[0.5, 3.0, -1.0, 2.0]])
    v, i = cr.topk(x, 2)
    np.testing.assert_array_equal(i.data, [[1, 3]])
    np.testing.assert_array_equal(v.data, [[3.0, 2.0]])
    with pytest.raises(ValueError, match=r"topk: k=5 is out of range for dim 1 of size 4"):
        cr.topk(x, 5)
    check_jvp([(3, 4)], lambda a: cr.topk(a, 2, dim=0).values)
    check_jvp([(3, 4)], lambda a: cr.sort(a, 1, descending=True).values)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000), keepdim=st.booleans())
def test_argmax_argmin(name, data, shape, seed, keepdim):
    dim = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)))
    check_op([shape], lambda a: getattr(torch, name)(a, dim, keepdim=keepdim),
             lambda a: getattr(a, name)(dim, keepdim=keepdim), seed=seed, gradcheck=False,
             grad=False)


def test_argmax_numpy_spelling_and_ties():
    x = cr.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    np.testing.assert_array_equal(x.argmax(axis=1, keepdims=True).data, [[1], [0]])
    np.testing.assert_array_equal(cr.argmin(x, axis=0).data, [0, 1, 1])
    with pytest.raises(ValueError, match=r"argmax: empty tensor of shape \(0,\)"):
        cr.argmax(cr.ones(0))


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000), keepdim=st.booleans())
def test_prod(data, shape, seed, keepdim):
    dim = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)))
    if dim is None:
        check_op([shape], torch.prod, cr.prod, seed=seed)
    else:
        check_op([shape], lambda a: torch.prod(a, dim, keepdim=keepdim),
                 lambda a: a.prod(dim=dim, keepdim=keepdim), seed=seed)


@pytest.mark.parametrize("row", [[0.0, 2.0, 3.0], [2.0, 0.0, 0.0], [1.5, -2.0, 3.0]])
def test_prod_is_exact_at_zeros(row):
    check_op([], lambda a: torch.prod(a, 1), lambda a: cr.prod(a, 1), values=[[row, row[::-1]]])
    check_op([], lambda a: torch.prod(a), cr.prod, values=[[row, [1.0, 2.0, 1.5]]])
    check_jvp([(2, 3)], lambda a: cr.prod(a * (a > 0.5), 1), low=0.0, high=1.0)
    check_jvp([(2, 3)], lambda a: cr.prod(a, 0, keepdim=True))


def test_prod_of_size_0_and_integers():
    np.testing.assert_array_equal(cr.prod(cr.ones(0, 2), 0).data, [1.0, 1.0])
    out = cr.prod(cr.tensor(np.array([2, 3], np.int32)))
    assert out.dtype == np.int64 and out.item() == 6


@pytest.mark.parametrize("name", ["any", "all"])
@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000), keepdim=st.booleans())
def test_any_all(name, data, shape, seed, keepdim):
    dim = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)))
    if dim is None:  # rounded draws: about a third of the values are exactly zero
        check_op([shape], lambda a: getattr(torch, name)(a.round()),
                 lambda a: getattr(cr, name)(a.round()), low=-1.4, high=1.4, seed=seed,
                 gradcheck=False, grad=False)
    else:
        check_op([shape], lambda a: getattr(torch, name)(a.round(), dim, keepdim=keepdim),
                 lambda a: getattr(a.round(), name)(dim, keepdim=keepdim), low=-1.4, high=1.4,
                 seed=seed, gradcheck=False, grad=False)


def test_keepdim_and_keepdims_must_agree():
    with pytest.raises(TypeError, match="prod: keepdim=True and keepdims=False disagree"):
        cr.prod(cr.ones(2), 0, keepdim=True, keepdims=False)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_size_0_dims(shape):
    check_op([shape], lambda a: torch.sort(a, -1).values, lambda a: cr.sort(a, -1).values)
    check_op([shape], lambda a: torch.topk(a, 0, -1).values, lambda a: cr.topk(a, 0, -1).values)
    check_op([shape], lambda a: torch.prod(a, 0), lambda a: cr.prod(a, 0))
    check_op([shape], lambda a: torch.any(a, -1), lambda a: cr.any(a, -1), gradcheck=False,
             grad=False)
