"""chainrule.functional: dropout, maxout, and the thin entry points over the ops."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from tests.autograd.check import check_op, torch

N = 100_000


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_inverted_dropout_statistics(p):
    x = cr.ones(N, requires_grad=True)
    out = F.dropout(x, p, generator=0)
    dropped = out.data == 0
    assert abs(dropped.mean() - p) < 5 * np.sqrt(p * (1 - p) / N)
    np.testing.assert_allclose(out.data[~dropped], 1 / (1 - p), rtol=1e-6)
    assert abs(out.data.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / N)  # unbiased in training
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # the gradient goes through the same mask
    assert F.dropout(x, p, training=False) is x  # identity at test time


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_vanilla_dropout_scales_at_test_time(p):
    x = cr.ones(N)
    train = F.dropout(x, p, inverted=False, generator=1)
    kept = train.data != 0
    np.testing.assert_array_equal(train.data[kept], 1.0)  # no scaling while training
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / N)
    test = F.dropout(x, p, training=False, inverted=False)
    np.testing.assert_allclose(test.data, 1 - p)  # the expected training output


def test_dropout_is_deterministic_under_a_seed():
    x = cr.ones(1000)
    cr.manual_seed(3)
    a = F.dropout(x, 0.5).data
    cr.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).data)
    np.testing.assert_array_equal(F.dropout(x, 0.5, generator=9).data,
                                  F.dropout(x, 0.5, generator=9).data)
    assert not np.array_equal(F.dropout(x, 0.5, generator=9).data,
                              F.dropout(x, 0.5, generator=10).data)


def test_dropout_edges_and_dtypes():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert F.dropout(x, 0.0) is x
    zero = F.dropout(x, 1.0)
    zero.sum().backward()
    assert not zero.data.any() and not x.grad.any()
    assert F.dropout(cr.ones(4, dtype=np.float64), 0.5, generator=0).dtype == np.float64
    assert F.dropout(cr.ones(4), 0.5, generator=0).dtype == np.float32
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\], got 1.5"):
        F.dropout(x, 1.5)


@pytest.mark.parametrize("shape,pieces,axis", [((4, 6), 3, -1), ((4, 6), 2, 1),
                                               ((2, 6, 3), 3, 1), ((6,), 6, 0)])
def test_maxout(shape, pieces, axis):
    def theirs(a):
        ax = axis % a.ndim
        return a.unflatten(ax, (a.shape[ax] // pieces, pieces)).amax(ax + 1)

    check_op([shape], theirs, lambda a: F.maxout(a, pieces, axis))


def test_maxout_routes_the_gradient_to_the_winning_piece():
    x = cr.tensor([[1.0, 5.0, 2.0, 7.0, 3.0, 0.0]], requires_grad=True)
    out = F.maxout(x, pieces=3)
    assert out.tolist() == [[5.0, 7.0]]
    out.backward(np.array([[1.0, 2.0]], dtype=np.float32))
    assert x.grad.tolist() == [[0.0, 1.0, 0.0, 2.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="6 units, not a multiple of pieces=4"):
        F.maxout(x, pieces=4)


def test_thin_entry_points():
    check_op([(2, 3), (3,)], lambda a, b: torch.maximum(a, b), F.maximum)
    check_op([(2, 3), (3,)], lambda a, b: torch.minimum(a, b), F.minimum)
    check_op([(2, 3)], lambda a: a.clamp(-0.5, 0.5), lambda a: F.clip(a, -0.5, 0.5))
    check_op([(2, 3)], lambda a: torch.logsumexp(a, 1), lambda a: F.logsumexp(a, axis=1))
    check_op([(2, 3), (2, 3)], lambda a, b: torch.cat([a, b]), lambda a, b: F.concatenate([a, b]))
    check_op([(2, 3), (2, 3)], lambda a, b: torch.stack([a, b]), lambda a, b: F.stack([a, b]))
    assert set(F.__all__) <= set(dir(F))
