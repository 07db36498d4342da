"""Constructors: shapes, dtypes and values as torch's; random ones seeded by manual_seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_op, torch

sizes = st.lists(st.integers(0, 3), max_size=3).map(tuple)


def _same(ours, theirs):
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-7)


needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


@needs_torch
@FAST
@given(size=sizes)
def test_fixed_constructors_match_torch(size):
    _same(cr.zeros(*size), torch.zeros(*size) if size else torch.zeros(()))
    _same(cr.ones(size), torch.ones(size))
    _same(cr.zeros(size, dtype=cr.long), torch.zeros(size, dtype=torch.long))
    for value in (2, 2.5, True):
        _same(cr.full(size, value), torch.full(size, value))
    x = torch.rand(size)
    for like in ("zeros_like", "ones_like"):
        _same(getattr(cr, like)(cr.tensor(x.numpy())), getattr(torch, like)(x))
    _same(cr.full_like(cr.tensor(x.numpy()), 7), torch.full_like(x, 7))
    assert cr.empty(size).shape == size and cr.empty_like(cr.ones(size)).dtype == np.float32


@needs_torch
@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 2, 0.25), (0.5, 3.0, 0.7), (5, 0, -2),
                                  (-1.0, 1.0, 0.3), (0,)])
def test_arange(args):
    _same(cr.arange(*args), torch.arange(*args))


@needs_torch
@pytest.mark.parametrize("args", [(0.0, 1.0, 5), (-2, 3, 7), (1.0, 1.0, 1), (0, 1, 0)])
def test_linspace_and_eye(args):
    _same(cr.linspace(*args), torch.linspace(*args))
    _same(cr.eye(3), torch.eye(3))
    _same(cr.eye(2, 4, dtype=np.int64), torch.eye(2, 4, dtype=torch.int64))


@pytest.mark.parametrize("make", [
    lambda **kw: cr.rand(3, 4, **kw), lambda **kw: cr.randn((3, 4), **kw),
    lambda **kw: cr.randint(0, 10, (3, 4), **kw), lambda **kw: cr.randint(5, size=(3, 4), **kw),
    lambda **kw: cr.rand_like(cr.ones(3, 4), **kw), lambda **kw: cr.randn_like(cr.ones(3, 4), **kw),
])
def test_random_constructors_are_seeded(make):
    cr.manual_seed(3)
    a = make()
    cr.manual_seed(3)
    b = make()
    np.testing.assert_array_equal(a.data, b.data)
    assert a.shape == (3, 4)
    c = make(generator=np.random.default_rng(3))
    d = make(generator=np.random.default_rng(3))
    np.testing.assert_array_equal(c.data, d.data)
    assert not np.array_equal(make().data, make().data)  # the global generator moves on


def test_random_distributions():
    cr.manual_seed(0)
    u, z, k = cr.rand(20000), cr.randn(20000), cr.randint(2, 5, (20000,))
    assert u.dtype == z.dtype == np.float32 and k.dtype == np.int64
    assert 0 <= u.data.min() and u.data.max() < 1 and abs(u.data.mean() - 0.5) < 0.01
    assert abs(z.data.mean()) < 0.03 and abs(z.data.std() - 1) < 0.03
    assert set(np.unique(k.data)) == {2, 3, 4}


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    for i in range(3):
        check_op([(2,), (3,), (4,)],
                 lambda *xs, i=i: torch.meshgrid(*xs, indexing=indexing)[i],
                 lambda *xs, i=i: cr.meshgrid(*xs, indexing=indexing)[i])
    check_op([(2,), ()], lambda *xs: torch.meshgrid(xs, indexing=indexing)[0],
             lambda *xs: cr.meshgrid(list(xs), indexing=indexing)[0])


def test_requires_grad_and_errors():
    assert cr.zeros(2, requires_grad=True).requires_grad
    assert cr.arange(3.0, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match=r"zeros: sizes must be non-negative, got \(2, -1\)"):
        cr.zeros(2, -1)
    with pytest.raises(TypeError, match="ones: sizes must be integers"):
        cr.ones("a")
    with pytest.raises(ValueError, match=r"randint: low \(3\) must be smaller than high \(3\)"):
        cr.randint(3, 3, (2,))
    with pytest.raises(TypeError, match="randint: expected randint"):
        cr.randint(3)
    with pytest.raises(ValueError, match="arange: step must be non-zero"):
        cr.arange(0, 1, 0)
    with pytest.raises(ValueError, match=r"meshgrid: tensor 1 has shape \(2, 2\)"):
        cr.meshgrid(cr.ones(2), cr.ones(2, 2))
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'ij' or 'xy'"):
        cr.meshgrid(cr.ones(2), indexing="yx")
