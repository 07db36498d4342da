"""Linear writes dW/db straight into freshly zeroed flat-buffer grads: same numbers as adding."""

import numpy as np

import chainrule as cr
from chainrule import functional as F
from chainrule.autograd.flat import FlatBuffer


def _params(seed=0):
    rng = np.random.default_rng(seed)
    w = cr.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = cr.tensor(rng.standard_normal(4), requires_grad=True)
    x = cr.tensor(rng.standard_normal((5, 3)))
    return w, b, x


def _loss(w, b, x):
    # w is used by two linear layers and by a penalty; b twice.
    h = F.linear(x, w, b)
    h2 = F.linear(F.tanh(h[:, :3]), w, b)
    return (h2 * h2).sum() + (w * w).sum() * 0.1


def test_delivered_gradients_equal_accumulated_ones():
    w, b, x = _params()
    _loss(w, b, x).backward()
    expected = w.grad.copy(), b.grad.copy()

    w2, b2, x2 = _params()
    flat = FlatBuffer([w2, b2])
    for _ in range(2):  # the second round starts from a zero_grad of a used buffer
        flat.zero_grad()
        assert w2._grad_fresh and b2._grad_fresh
        _loss(w2, b2, x2).backward()
        np.testing.assert_allclose(w2.grad, expected[0], rtol=1e-6)
        np.testing.assert_allclose(b2.grad, expected[1], rtol=1e-6)
        assert np.shares_memory(w2.grad, flat.grad)


def test_without_zero_grad_gradients_accumulate():
    w, b, x = _params()
    flat = FlatBuffer([w, b])
    flat.zero_grad()
    _loss(w, b, x).backward()
    once = w.grad.copy()
    _loss(w, b, x).backward()
    np.testing.assert_allclose(w.grad, 2 * once, rtol=1e-6)


def test_functional_grad_and_hooks_bypass_delivery():
    w, b, x = _params()
    flat = FlatBuffer([w, b])
    flat.zero_grad()
    (gw,) = cr.grad(_loss(w, b, x), [w])
    assert not flat.grad.any(), "grad() must not write into .grad"
    seen = []
    w.register_hook(lambda g: seen.append(g.copy()))
    _loss(w, b, x).backward()
    np.testing.assert_allclose(seen[0], gw.data, rtol=1e-6)
    np.testing.assert_allclose(w.grad, gw.data, rtol=1e-6)
