"""Matrix products against torch: 1-D, 2-D and broadcast batches, and the fused linear."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import FAST, check_op, tf, torch

MATMUL_SHAPES = [
    [(3,), (3,)],
    [(3,), (3, 4)],
    [(2, 3), (3,)],
    [(2, 3), (3, 4)],
    [(5, 2, 3), (3, 4)],
    [(3,), (5, 3, 4)],
    [(5, 2, 3), (3,)],
    [(5, 1, 2, 3), (4, 3, 2)],
    [(1, 2, 3), (6, 3, 1)],
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes):
    check_op(shapes, lambda a, b: a @ b)


@FAST
@given(batch=st.tuples(st.integers(1, 3), st.integers(1, 3)), lead=st.booleans(),
       n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 99))
def test_batched_matmul_broadcasting(batch, lead, n, k, m, seed):
    a_batch = batch if lead else batch[1:]
    b_batch = (1, batch[1]) if lead else ()
    check_op([a_batch + (n, k), b_batch + (k, m)], lambda a, b: a @ b, seed=seed)


def test_matmul_with_arrays_and_module_form():
    w = np.random.default_rng(1).standard_normal((3, 2))
    check_op([(4, 3)], lambda a: a @ torch.from_numpy(w.astype(np.float32)), lambda a: a @ w)
    check_op([(2, 4)], lambda a: torch.from_numpy(w.astype(np.float32)) @ a, lambda a: w @ a)
    check_op([(4, 3), (3, 2)], lambda a, b: torch.matmul(a, b), cr.matmul)


@pytest.mark.parametrize("a,b", [((2, 3), (4, 5)), ((3,), (4,)), ((5, 2, 3), (2, 2, 4)),
                                 ((2, 3), (2,))])
def test_matmul_mismatch_names_both_shapes(a, b):
    with pytest.raises(ValueError, match=rf"matmul: shapes \({a[0]},.*and \({b[0]},"):
        cr.ones(*a) @ cr.ones(*b)


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError, match=r"at least one dimension.*\(\) and \(3,\)"):
        cr.tensor(2.0) @ cr.ones(3)


@pytest.mark.parametrize("x_shape,bias", [((4, 3), True), ((4, 3), False), ((2, 5, 3), True),
                                          ((3,), True)])
def test_linear(x_shape, bias):
    shapes = [x_shape, (2, 3)] + ([(2,)] if bias else [])
    check_op(shapes, lambda *xs: tf.linear(*xs), F.linear)


def test_linear_errors_name_the_shapes():
    x, w = cr.ones(4, 3), cr.ones(2, 3)
    with pytest.raises(ValueError, match=r"input of shape \(4, 5\).*weight of shape \(2, 3\)"):
        F.linear(cr.ones(4, 5), w)
    with pytest.raises(ValueError, match=r"bias of shape \(3,\).*weight of shape \(2, 3\)"):
        F.linear(x, w, cr.ones(3))
    with pytest.raises(ValueError, match=r"weight must be 2-D.*\(3,\)"):
        F.linear(x, cr.ones(3))


def test_linear_with_integer_input_is_float32():
    out = F.linear(cr.tensor([[1, 0]]), cr.ones(3, 2), cr.zeros(3))
    assert out.dtype == np.float32
    assert (cr.tensor([[1, 0]]) @ cr.ones(2, 3)).dtype == np.float32


@pytest.mark.parametrize("x_shape,w_shape", [((8, 8), (0, 8)), ((8, 0), (8, 0)),
                                             ((2, 3, 0), (4, 0))], ids=str)
def test_linear_with_a_size_0_feature_axis(x_shape, w_shape):
    # issue 17: backward failed in a reshape; matmul handled the same shapes
    check_op([x_shape, w_shape, w_shape[:1]], tf.linear, F.linear)
