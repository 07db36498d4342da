"""Module-level forms and constructors: ``cr.exp(x)``, ``cr.zeros(...)``, ``cr.randn(...)``."""

from __future__ import annotations

import numpy as np

import chainrule as cr
from tests.autograd.check import check_op


def test_module_forms_match_the_methods():
    check_op([(2, 3)], lambda a: a.exp(), cr.exp)
    check_op([(2, 3)], lambda a: a.log(), cr.log, low=0.5)
    check_op([(2, 3)], lambda a: a.reshape(3, 2), lambda a: cr.reshape(a, (3, 2)))
    check_op([(2, 3)], lambda a: a.T, cr.transpose)
    check_op([(2, 3, 4)], lambda a: a.permute(2, 0, 1), lambda a: cr.permute(a, (2, 0, 1)))
    check_op([(2, 3, 4)], lambda a: a.permute(1, 0, 2), lambda a: cr.transpose(a, (1, 0, 2)))
    check_op([(3,)], lambda a: a.expand(2, 3), lambda a: cr.broadcast_to(a, (2, 3)))
    check_op([(1, 3)], lambda a: a.squeeze(0), lambda a: cr.squeeze(a, 0))
    check_op([(3,)], lambda a: a.unsqueeze(1), lambda a: cr.unsqueeze(a, 1))
    check_op([(2, 3, 4)], lambda a: a.flatten(1), lambda a: cr.flatten(a, 1))
    check_op([(2, 3)], lambda a: a.clamp(-1, 1), lambda a: cr.clip(a, -1, 1))


def test_module_forms_accept_plain_data():
    assert cr.exp([0.0]).tolist() == [1.0]
    assert cr.matmul([[1.0, 2.0]], [[3.0], [4.0]]).tolist() == [[11.0]]
    assert cr.sum([[1, 2], [3, 4]], axis=0).tolist() == [4, 6]


def test_constructors():
    assert cr.zeros(2, 3).shape == (2, 3) and cr.zeros((2, 3)).dtype == np.float32
    assert cr.ones(2, dtype=np.float64).dtype == np.float64
    assert cr.ones(2, requires_grad=True).requires_grad
    x = cr.tensor([[1, 2]])
    assert cr.zeros_like(x).dtype == np.int64 and cr.ones_like(x).tolist() == [[1, 1]]
    assert cr.randn(3, 4).dtype == np.float32 and cr.rand(5).data.min() >= 0
    assert cr.randn(2, dtype=np.float64).dtype == np.float64
    assert cr.zeros_like(cr.ones(1, dtype=np.float64)).dtype == np.float64


def test_random_constructors_follow_the_seed_and_the_generator():
    cr.manual_seed(7)
    a = cr.randn(4)
    cr.manual_seed(7)
    np.testing.assert_array_equal(a.data, cr.randn(4).data)
    np.testing.assert_array_equal(cr.rand(3, generator=1).data, cr.rand(3, generator=1).data)
    gen = np.random.default_rng(3)
    expected = np.random.default_rng(3).standard_normal(5).astype(np.float32)
    np.testing.assert_array_equal(cr.randn(5, generator=gen).data, expected)
