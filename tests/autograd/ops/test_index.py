"""gather, scatter, scatter_add, index_select, masked_fill/select, one_hot, nonzero vs torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_jvp, check_op, nonscalar_shapes, torch


@st.composite
def addressing(draw, shape):
    """A dim, and an index no larger than ``shape`` on the other axes (values in range)."""
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(draw(st.integers(1, 4)) if d == dim % len(shape) else draw(st.integers(1, n))
                   for d, n in enumerate(shape))
    seed = draw(st.integers(0, 1000))
    index = np.random.default_rng(seed).integers(0, shape[dim], size=ishape)
    return dim, index


def _tidx(index):
    return torch.from_numpy(index) if torch is not None else None


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_gather(data, shape, seed):
    dim, index = data.draw(addressing(shape))
    check_op([shape], lambda a: torch.gather(a, dim, _tidx(index)),
             lambda a: a.gather(dim, cr.tensor(index)), seed=seed)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_scatter_add(data, shape, seed):
    dim, index = data.draw(addressing(shape))
    check_op([shape, index.shape], lambda a, s: torch.scatter_add(a, dim, _tidx(index), s),
             lambda a, s: cr.scatter_add(a, dim, index, s), seed=seed)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_scatter(data, shape, seed):
    # unique positions along dim, so that no two writes race (torch leaves that unspecified)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(min(n, 2) if d == dim % len(shape) else n for d, n in enumerate(shape))
    rng = np.random.default_rng(seed)
    index = np.argsort(rng.random(shape), axis=dim)
    index = np.take(index, np.arange(ishape[dim % len(shape)]), axis=dim)
    check_op([shape, ishape], lambda a, s: torch.scatter(a, dim, _tidx(index), s),
             lambda a, s: a.scatter(dim, cr.tensor(index), s), seed=seed)
    check_op([shape], lambda a: torch.scatter(a, dim, _tidx(index), value=1.5),
             lambda a: cr.scatter(a, dim, index, value=1.5), seed=seed)


def test_scatter_from_a_larger_source():
    # torch's own backward rejects a source larger than the index: forward against torch,
    # gradients by gradcheck
    index = np.array([[1, 0], [0, 1]])
    check_op([(2, 3), (3, 4)], lambda a, s: torch.scatter(a, 1, _tidx(index), s),
             lambda a, s: cr.scatter(a, 1, index, s), grad=False)
    check_op([(2, 3), (3, 4)], None, lambda a, s: cr.scatter(a, 1, index, s))


def test_jvps():
    index = np.array([[0, 2], [1, 1], [2, 0]])
    check_jvp([(3, 3)], lambda a: cr.gather(a, 1, index))
    check_jvp([(3, 3), (3, 2)], lambda a, s: cr.scatter_add(a, 1, index, s))
    check_jvp([(3, 3), (3, 2)], lambda a, s: cr.scatter(a, 0, np.array([[2, 0], [1, 2]]), s))
    check_jvp([(2, 3)], lambda a: a.masked_fill(np.array([True, False, True]), 0.5))


def test_0d_input_and_negative_dim():
    check_op([()], lambda a: torch.gather(a, 0, torch.tensor(0)),
             lambda a: cr.gather(a, -1, cr.tensor(0)))
    check_op([(2, 3)], lambda a: torch.gather(a, -1, torch.tensor([[2], [0]])),
             lambda a: cr.gather(a, -1, cr.tensor([[2], [0]])))


def test_addressing_errors():
    x = cr.ones(2, 3)
    for bad in (3, -1):  # torch takes no negative indices here either
        with pytest.raises(IndexError, match=r"index values must lie in \[0, 3\) for dim 1"):
            cr.gather(x, 1, cr.tensor([[bad]]))
    with pytest.raises(ValueError, match=r"index of shape \(3, 1\) is larger than the input"):
        cr.gather(x, 1, cr.tensor([[0], [0], [0]]))
    with pytest.raises(ValueError, match="must have as many dimensions"):
        cr.gather(x, 1, cr.tensor([0]))
    with pytest.raises(TypeError, match="gather: index must hold integers"):
        cr.gather(x, 1, cr.tensor([[0.0]]))
    with pytest.raises(ValueError, match=r"or the source \(1, 1\)"):
        cr.scatter_add(x, 0, cr.tensor([[0, 1]]), cr.ones(1, 1))
    with pytest.raises(TypeError, match="scatter: give exactly one of src and value"):
        cr.scatter(x, 0, cr.tensor([[0]]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(dim):
    index = np.array([2, 0, 0]) if dim else np.array([1, 0, 1, 1])
    check_op([(2, 3)], lambda a: torch.index_select(a, dim, torch.from_numpy(index)),
             lambda a: a.index_select(dim, cr.tensor(index)))


@pytest.mark.parametrize("mask_shape", [(2, 3), (3,), (2, 1), ()])
def test_masked_fill_and_select(mask_shape):
    mask = np.random.default_rng(1).random(mask_shape) > 0.4
    check_op([(2, 3)], lambda a: a.masked_fill(torch.from_numpy(np.asarray(mask)), -1.0),
             lambda a: a.masked_fill(mask, -1.0))
    check_op([(2, 3), ()], lambda a, v: torch.masked_fill(a, torch.from_numpy(np.asarray(mask)), v),
             lambda a, v: cr.masked_fill(a, mask, v))
    check_op([(2, 3)], lambda a: torch.masked_select(a, torch.from_numpy(np.asarray(mask))),
             lambda a: a.masked_select(mask))


def test_masked_fill_errors():
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\) does not broadcast"):
        cr.masked_fill(cr.ones(2, 3), np.ones((3, 3), bool), 0.0)
    with pytest.raises(TypeError, match="masked_fill: mask must be boolean, got int64"):
        cr.masked_fill(cr.ones(2, 3), np.ones(3, np.int64), 0.0)


@pytest.mark.parametrize("labels,classes", [([0, 2, 1], -1), ([[1], [3]], 5), ([], 3), (2, 4)])
def test_one_hot(labels, classes):
    ours = F.one_hot(cr.tensor(np.asarray(labels, np.int64)), classes)
    if torch is None:
        pytest.skip("torch is not installed")
    theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), classes)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_one_hot_errors():
    with pytest.raises(ValueError, match="one_hot: label 3 is out of range for num_classes=3"):
        F.one_hot(cr.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(cr.tensor([-1]))
    with pytest.raises(TypeError, match="one_hot: class labels must be integers"):
        F.one_hot(cr.tensor([1.0]))


@pytest.mark.parametrize("values", [[[0, 1.5], [2, 0]], [0.0, 0.0], 3.0, 0.0, [[[1, 0]]]])
def test_nonzero(values):
    if torch is None:
        pytest.skip("torch is not installed")
    ours, theirs = cr.tensor(values), torch.tensor(values)
    np.testing.assert_array_equal(ours.nonzero().data, torch.nonzero(theirs).numpy())
    assert ours.nonzero().shape == tuple(torch.nonzero(theirs).shape)
    for o, t in zip(cr.nonzero(ours, as_tuple=True), torch.nonzero(theirs, as_tuple=True),
                    strict=True):
        np.testing.assert_array_equal(o.data, t.numpy())


def test_size_0_index_and_input():
    empty = np.zeros((2, 0), np.int64)
    check_op([(2, 3)], lambda a: torch.gather(a, 1, torch.from_numpy(empty)),
             lambda a: cr.gather(a, 1, empty))
    check_op([(2, 3), (2, 0)], lambda a, s: torch.scatter_add(a, 1, torch.from_numpy(empty), s),
             lambda a, s: cr.scatter_add(a, 1, empty, s))
    check_op([(0, 3)], lambda a: torch.index_select(a, 1, torch.tensor([2, 0])),
             lambda a: cr.index_select(a, 1, cr.tensor([2, 0])))
