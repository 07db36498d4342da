"""split, chunk, unbind, roll, flip, tile/repeat, repeat_interleave, tril/triu, diag and
expand against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_jvp, check_op, nonscalar_shapes, shapes, torch


def _dim(data, shape):
    return data.draw(st.integers(-len(shape), len(shape) - 1))


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_split_chunk_unbind(data, shape, seed):
    dim = _dim(data, shape)
    size = data.draw(st.integers(1, 4))
    n = shape[dim]
    cut = data.draw(st.integers(0, n))
    for i in range(-(-n // size)):
        check_op([shape], lambda a, i=i: torch.split(a, size, dim)[i],
                 lambda a, i=i: a.split(size, dim=dim)[i], seed=seed)
    check_op([shape], lambda a: torch.split(a, [cut, n - cut], dim)[1],
             lambda a: cr.split(a, [cut, n - cut], axis=dim)[1], seed=seed)
    chunks = data.draw(st.integers(1, 5))
    assert len(cr.chunk(cr.ones(shape), chunks, dim)) == len(torch.chunk(torch.ones(shape),
                                                                          chunks, dim))
    check_op([shape], lambda a: torch.chunk(a, chunks, dim)[-1],
             lambda a: a.chunk(chunks, dim)[-1], seed=seed)
    check_op([shape], lambda a: torch.unbind(a, dim)[-1], lambda a: a.unbind(dim)[-1],
             seed=seed)


def test_split_pieces_share_one_gradient():
    x = cr.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    a, b = cr.split(x, [1, 2], dim=1)
    (a.sum() * 2 + (b * b).sum()).backward()
    np.testing.assert_array_equal(x.grad, [[2, 2, 4], [2, 8, 10]])


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000))
def test_roll(data, shape, seed):
    shift = data.draw(st.integers(-5, 5))
    check_op([shape], lambda a: torch.roll(a, shift), lambda a: cr.roll(a, shift), seed=seed)
    if shape:
        dims = tuple(data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                                        max_size=2)))
        shifts = tuple(shift + i for i in range(len(dims)))
        check_op([shape], lambda a: torch.roll(a, shifts, dims),
                 lambda a: a.roll(shifts, dims), seed=seed)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_flip(data, shape, seed):
    dims = tuple(data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)))
    check_op([shape], lambda a: torch.flip(a, dims), lambda a: cr.flip(a, dims), seed=seed)
    check_op([shape], lambda a: a.flip(*dims), seed=seed)


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000))
def test_repeat_and_tile(data, shape, seed):
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=max(len(shape), 1),
                                    max_size=len(shape) + 2)))
    check_op([shape], lambda a: a.repeat(*reps), seed=seed)
    short = reps[:max(len(shape) - 1, 0)]
    check_op([shape], lambda a: torch.tile(a, short), lambda a: cr.tile(a, short), seed=seed)


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_repeat_interleave(data, shape, seed):
    dim = _dim(data, shape)
    counts = data.draw(st.lists(st.integers(0, 3), min_size=shape[dim], max_size=shape[dim]))
    check_op([shape], lambda a: torch.repeat_interleave(a, torch.tensor(counts), dim),
             lambda a: a.repeat_interleave(cr.tensor(np.array(counts, np.int64)), dim),
             seed=seed)
    check_op([shape], lambda a: torch.repeat_interleave(a, 2),
             lambda a: cr.repeat_interleave(a, 2), seed=seed)


@pytest.mark.parametrize("name", ["tril", "triu"])
@FAST
@given(data=st.data(), shape=nonscalar_shapes.filter(lambda s: len(s) >= 2),
       seed=st.integers(0, 1000))
def test_triangles(name, data, shape, seed):
    k = data.draw(st.integers(-3, 3))
    check_op([shape], lambda a: getattr(torch, name)(a, k), lambda a: getattr(a, name)(k),
             seed=seed)


@pytest.mark.parametrize("shape,k", [((3,), 0), ((3,), 1), ((2,), -2), ((3, 3), 0), ((3, 4), 1),
                                     ((4, 3), -2), ((2, 3), 5)])
def test_diag(shape, k):
    check_op([shape], lambda a: torch.diag(a, k), lambda a: cr.diag(a, k))


@pytest.mark.parametrize("shape,sizes", [((3, 1), (3, 4)), ((1,), (2, 3, -1)), ((2, 1), (-1, 5)),
                                         ((), (2, 2)), ((1, 3), (0, 3))])
def test_expand(shape, sizes):
    check_op([shape], lambda a: a.expand(*sizes))
    check_op([shape], lambda a: a.expand(sizes))


def test_jvps():
    for fn in (lambda a: cr.roll(a, 1, 0), lambda a: cr.flip(a, 1), lambda a: a.repeat(2, 1, 2),
               lambda a: cr.repeat_interleave(a, cr.tensor([2, 0, 1]), 1), cr.tril,
               lambda a: cr.triu(a, 1), lambda a: cr.diag(a, -1), lambda a: a.split(2)[1],
               lambda a: a.expand(2, 3, 3)):
        check_jvp([(3, 3)], fn)
    check_jvp([(3,)], lambda a: cr.diag(a, 1))


def test_errors_name_the_problem():
    x = cr.ones(2, 3)
    with pytest.raises(ValueError, match=r"split: sections \[1, 1\] must .* add up to the size 3"):
        cr.split(x, [1, 1], 1)
    with pytest.raises(ValueError, match=r"repeat: 1 sizes \(2,\) for a tensor with 2 dim"):
        x.repeat(2)
    with pytest.raises(ValueError, match="roll: 2 shifts but 1 dims"):
        cr.roll(x, (1, 2), 0)
    with pytest.raises(ValueError, match=r"tril: needs at least 2 dimensions, got shape \(3,\)"):
        cr.tril(cr.ones(3))
    with pytest.raises(ValueError, match=r"diag: needs a 1-D or 2-D tensor"):
        cr.diag(cr.ones(2, 2, 2))
    with pytest.raises(ValueError, match=r"repeat_interleave: 2 repeats for dim 1 of size 3"):
        cr.repeat_interleave(x, cr.tensor([1, 2]), 1)
    with pytest.raises(ValueError, match="broadcast_to"):
        x.expand(4, 3)
    with pytest.raises(ValueError, match="flip: dims .* repeat an axis"):
        cr.flip(x, (1, -1))


@pytest.mark.parametrize("shape", [(0, 3), (2, 0)])
def test_size_0_dims(shape):
    check_op([shape], lambda a: torch.roll(a, 1, 0), lambda a: cr.roll(a, 1, 0))
    check_op([shape], lambda a: torch.flip(a, (0, 1)), lambda a: cr.flip(a, (0, 1)))
    check_op([shape], lambda a: a.repeat(2, 3))
    check_op([shape], lambda a: torch.tril(a), cr.tril)
    check_op([shape], lambda a: torch.split(a, 2, 1)[0], lambda a: cr.split(a, 2, 1)[0])
    check_op([shape], lambda a: torch.repeat_interleave(a, 2, 0),
             lambda a: cr.repeat_interleave(a, 2, 0))
