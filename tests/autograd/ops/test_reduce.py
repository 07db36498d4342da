"""Reductions over ``axis`` with ``keepdims`` against torch, and the max gate on ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, axes, check_op, shapes, torch, torch_dims


def _torch_reduce(name: str, axis, keepdims: bool, ndim: int, ddof: int = 0):
    dims = torch_dims(axis, ndim)
    if name == "var":
        return lambda a: torch.var(a, dim=dims, correction=ddof, keepdim=keepdims)
    if name == "logsumexp":
        if ndim == 0:
            return lambda a: a.clone()
        return lambda a: torch.logsumexp(a, dim=dims, keepdim=keepdims)
    fn = {"sum": "sum", "mean": "mean", "max": "amax", "min": "amin"}[name]
    return lambda a: getattr(torch, fn)(a, dim=dims, keepdim=keepdims)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "logsumexp"])
@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=st.integers(0, 1000))
def test_reduction(name, data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape)))
    check_op([shape], _torch_reduce(name, axis, keepdims, len(shape)),
             lambda a: getattr(a, name)(axis=axis, keepdims=keepdims), seed=seed)


@pytest.mark.parametrize("ddof", [0, 1])
@FAST
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), seed=st.integers(0, 1000))
def test_var(ddof, data, shape, keepdims, seed):
    axis = data.draw(axes(len(shape)))
    reduced = int(np.prod([shape[i] for i in torch_dims(axis, len(shape))]))
    if reduced <= ddof:
        return  # no degrees of freedom left: torch and we both give nan or inf
    check_op([shape], _torch_reduce("var", axis, keepdims, len(shape), ddof),
             lambda a: a.var(axis=axis, keepdims=keepdims, ddof=ddof), seed=seed)


def test_var_without_degrees_of_freedom_is_nan_like_torch():
    pytest.importorskip("torch")
    ours = cr.tensor([[1.0], [2.0]]).var(axis=1, ddof=1)
    with pytest.warns(UserWarning):
        theirs = torch.var(torch.tensor([[1.0], [2.0]]), dim=1, correction=1)
    assert np.isnan(ours.data).all() and torch.isnan(theirs).all()


def test_std_and_module_forms():
    check_op([(3, 4)], lambda a: a.std(dim=1, correction=0), lambda a: a.std(axis=1))
    check_op([(3, 4)], lambda a: torch.sum(a, 0), lambda a: cr.sum(a, 0))
    check_op([(3, 4)], lambda a: torch.mean(a, 1, keepdim=True), lambda a: cr.mean(a, 1, True))
    check_op([(3, 4)], lambda a: torch.var(a, 1, correction=1), lambda a: cr.var(a, 1, ddof=1))
    check_op([(3, 4)], lambda a: torch.amax(a, 0), lambda a: cr.max(a, 0))
    check_op([(3, 4)], lambda a: torch.amin(a, 0), lambda a: cr.min(a, 0))
    check_op([(3, 4)], lambda a: torch.logsumexp(a, 1), lambda a: cr.logsumexp(a, 1))


TIES = [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], [[1.0, 1.0, 3.0], [2.0, -5.0, 3.0]]]


@pytest.mark.parametrize("values", TIES)
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_max_min_share_the_gradient_on_ties_like_torch_amax(values, name, axis):
    # torch.amax/amin and torch.max()/min() over all elements split the gradient evenly
    # between tied extremes; so does the lecture's max gate generalised to ties.
    ref = {"max": "amax", "min": "amin"}[name]
    check_op([], lambda a: getattr(torch, ref)(a, dim=torch_dims(axis, 2)),
             lambda a: getattr(a, name)(axis=axis), values=[values], gradcheck=False)


def test_max_over_all_matches_torch_max_without_dim():
    values = [[[1.0, 3.0, 3.0], [2.0, 2.0, 3.0]]]
    check_op([], lambda a: torch.max(a), lambda a: a.max(), values=values, gradcheck=False)
    check_op([], lambda a: torch.min(a), lambda a: a.min(),
             values=[[[1.0, 3.0, 1.0], [2.0, 1.0, 3.0]]], gradcheck=False)


def test_logsumexp_is_stable_for_large_inputs():
    x = cr.tensor([1000.0, 1000.0, -1000.0], requires_grad=True)
    out = x.logsumexp()
    np.testing.assert_allclose(out.item(), 1000.0 + np.log(2.0), rtol=1e-6)
    out.backward()
    np.testing.assert_allclose(x.grad, [0.5, 0.5, 0.0], atol=1e-7)


def test_reduction_errors_name_the_problem():
    x = cr.ones(2, 3)
    with pytest.raises(ValueError, match="axis 2 is out of range.*2 dimensions"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="repeated axis"):
        x.mean(axis=(1, -1))
    with pytest.raises(ValueError, match=r"max of an empty tensor \(shape \(0, 3\)\)"):
        cr.zeros(0, 3).max()


def test_integer_mean_is_float32():
    assert cr.tensor([1, 2, 4]).mean().dtype == np.float32
    assert cr.tensor([1, 2, 4]).sum().dtype == np.int64


@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "logsumexp", "var", "squeeze"])
def test_axis_0_and_minus_1_on_a_0d_tensor_like_torch(name, axis):
    # issue 17: AxisError / ValueError / IndexError where torch accepts them
    theirs = {"max": lambda a: torch.amax(a, axis), "min": lambda a: torch.amin(a, axis),
              "var": lambda a: torch.var(a, axis, correction=0),
              "logsumexp": lambda a: torch.logsumexp(a, axis)}.get(
        name, lambda a: getattr(a, name)(axis))
    check_op([()], theirs, lambda a: getattr(a, name)(axis))


def test_reductions_take_torch_dim_and_keepdim():
    check_op([(2, 3, 4)], lambda a: a.sum(dim=(0, 2), keepdim=True))
    check_op([(2, 3)], lambda a: a.mean(dim=-1))
    check_op([(2, 3)], lambda a: a.logsumexp(dim=1, keepdim=True))
    check_op([(3, 4)], lambda a: a.var(dim=0, unbiased=True),
             lambda a: a.var(dim=0, unbiased=True))
    check_op([(3, 4)], lambda a: a.std(dim=1, correction=0))
    check_op([(3, 4)], lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values)
    x = cr.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]])
    values, indices = x.min(dim=1, keepdim=True)
    assert values.shape == indices.shape == (2, 1) and indices.data.ravel().tolist() == [0, 1]
    assert x.max(dim=1)[1].data.tolist() == [1, 0]  # the first of tied maxima, as torch
    assert x.argmax(dim=1, keepdim=True).shape == (2, 1) and x.argmin(dim=0).tolist() == [0, 1, 1]
    assert cr.sum(x, dim=0).shape == (3,) and cr.mean(x, dim=1, keepdim=True).shape == (2, 1)
    with pytest.raises(TypeError, match=r"sum: got both axis=0 and dim=1; pass one"):
        x.sum(0, dim=1)
    with pytest.raises(TypeError, match=r"mean: got both keepdims=True and keepdim=True"):
        x.mean(keepdims=True, keepdim=True)
