"""Forward mode: ``jvp`` against reverse mode through <u, J v> = <J^T u, v>, and differences."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F

IDX = np.array([[0, 2], [1, 1], [2, 0]])
MASK = np.array([True, False, True, True])
COND = np.array([[True, False, True], [False, False, True]])
LABELS = np.array([0, 2, 1, 2])
LABELS_3D = np.array([[0, 2], [1, -100]])
WEIGHT = np.array([0.5, 2.0, 1.5])

CASES = {
    # elementwise, with broadcasting
    "add": ([(2, 3), (3,)], lambda a, b: a + b, -2.0),
    "sub": ([(2, 1), (3,)], lambda a, b: a - b, -2.0),
    "mul": ([(2, 3), (2, 1)], lambda a, b: a * b, -2.0),
    "div": ([(2, 3), (3,)], lambda a, b: a / b, 0.5),
    "neg": ([(4,)], lambda a: -a, -2.0),
    "pow scalar": ([(2, 3)], lambda a: a ** 3, -2.0),
    "pow tensor": ([(2, 3), (3,)], lambda a, b: a ** b, 0.5),
    "exp": ([(2, 3)], cr.exp, -2.0),
    "log": ([(2, 3)], cr.log, 0.5),
    "sqrt": ([(2, 3)], cr.sqrt, 0.5),
    "abs": ([(2, 3)], cr.abs, -2.0),
    "maximum": ([(2, 3), (3,)], cr.maximum, -2.0),
    "minimum": ([(2, 3), ()], cr.minimum, -2.0),
    "clip": ([(2, 3)], lambda a: a.clip(-0.5, 0.5), -2.0),
    "where": ([(2, 3), (3,)], lambda a, b: cr.where(COND, a, b), -2.0),
    "sigmoid": ([(2, 3)], F.sigmoid, -2.0),
    "tanh": ([(2, 3)], F.tanh, -2.0),
    "relu": ([(2, 3)], F.relu, -2.0),
    "leaky_relu": ([(2, 3)], lambda a: F.leaky_relu(a, 0.1), -2.0),
    "prelu": ([(2, 3), (3,)], F.prelu, -2.0),
    "elu": ([(2, 3)], F.elu, -2.0),
    "softplus": ([(2, 3)], F.softplus, -2.0),
    "step": ([(2, 3)], F.step, -2.0),
    "softmax": ([(2, 3)], lambda a: F.softmax(a, axis=0), -2.0),
    "log_softmax": ([(2, 3)], F.log_softmax, -2.0),
    # matmul and linear
    "matmul 2-D": ([(2, 3), (3, 4)], lambda a, b: a @ b, -2.0),
    "matmul vectors": ([(3,), (3,)], lambda a, b: a @ b, -2.0),
    "matmul batched": ([(2, 1, 2, 3), (4, 3, 2)], lambda a, b: a @ b, -2.0),
    "linear": ([(4, 3), (2, 3), (2,)], F.linear, -2.0),
    # reductions
    "sum": ([(2, 3, 4)], lambda a: a.sum(axis=(0, 2)), -2.0),
    "mean": ([(2, 3)], lambda a: a.mean(axis=1, keepdims=True), -2.0),
    "var": ([(2, 3)], lambda a: a.var(axis=0, ddof=1), -2.0),
    "max": ([(2, 3)], lambda a: a.max(axis=1), -2.0),
    "min": ([(2, 3)], lambda a: a.min(), -2.0),
    "logsumexp": ([(2, 3)], lambda a: a.logsumexp(axis=-1), -2.0),
    # movement
    "reshape": ([(2, 3)], lambda a: a.reshape(3, 2), -2.0),
    "transpose": ([(2, 3, 4)], lambda a: a.transpose(2, 0, 1), -2.0),
    "broadcast_to": ([(3,)], lambda a: a.broadcast_to((2, 3)), -2.0),
    "concatenate": ([(2, 3), (1, 3)], lambda a, b: cr.concatenate([a, b]), -2.0),
    "stack": ([(2, 3), (2, 3)], lambda a, b: cr.stack([a, b], axis=1), -2.0),
    "squeeze": ([(2, 1, 3)], lambda a: a.squeeze(1), -2.0),
    "unsqueeze": ([(2, 3)], lambda a: a.unsqueeze(-1), -2.0),
    "flatten": ([(2, 3, 2)], lambda a: a.flatten(1), -2.0),
    "pad": ([(2, 3)], lambda a: cr.pad(a, ((1, 0), (0, 2))), -2.0),
    "take_along_axis": ([(3, 3)], lambda a: cr.take_along_axis(a, IDX, 1), -2.0),
    "getitem slices": ([(3, 4)], lambda a: a[1:, ::2], -2.0),
    "getitem repeats": ([(3, 4)], lambda a: a[np.array([0, 0, 2])], -2.0),
    "getitem mask": ([(3, 4)], lambda a: a[:, MASK], -2.0),
    # losses, every reduction form at least once
    "mse_loss": ([(2, 3), (2, 3)], F.mse_loss, -2.0),
    "l1_loss": ([(2, 3), (2, 3)], lambda a, b: F.l1_loss(a, b, reduction="sum"), -2.0),
    "huber_loss": ([(2, 3), (2, 3)], lambda a, b: F.huber_loss(a, b, delta=0.5), -2.0),
    "smooth_l1_loss": ([(2, 3), (2, 3)],
                       lambda a, b: F.smooth_l1_loss(a, b, "none", beta=0.5), -2.0),
    "bce": ([(2, 3), (2, 3)],
            lambda p, y: F.binary_cross_entropy(p.sigmoid(), y.sigmoid()), -2.0),
    "bce_with_logits": ([(2, 3), (2, 3)],
                        lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()), -2.0),
    "bce_with_logits pos_weight": ([(2, 3), (2, 3)], lambda x, y:
                                   F.binary_cross_entropy_with_logits(x, y.sigmoid(), "sum",
                                                                      pos_weight=WEIGHT), -2.0),
    "kl_div": ([(4, 3), (4, 3)], lambda x, t: F.kl_div(F.log_softmax(x), F.softmax(t),
                                                      "batchmean"), -2.0),
    "cross_entropy fused": ([(4, 3)], lambda z: F.cross_entropy(z, LABELS), -2.0),
    "cross_entropy weighted, smoothed": ([(4, 3)], lambda z: F.cross_entropy(
        z, LABELS, WEIGHT, label_smoothing=0.2), -2.0),
    "cross_entropy ignore_index 3-D": ([(2, 3, 2)], lambda z: F.cross_entropy(
        z, LABELS_3D, reduction="none"), -2.0),
    "cross_entropy probabilities": ([(4, 3), (4, 3)],
                                    lambda z, t: F.cross_entropy(z, F.softmax(t)), -2.0),
    "nll_loss": ([(4, 3)], lambda z: F.nll_loss(z, LABELS, WEIGHT), -2.0),
    # a composite: a two-layer network
    "mlp": ([(5, 3), (4, 3), (4,)], lambda x, w, b: F.softmax(F.linear(x, w, b).tanh()), -1.0),
}


@pytest.mark.parametrize("name", CASES)
def test_jvp_agrees_with_reverse_mode(name):
    shapes, fn, low = CASES[name]
    rng = np.random.default_rng(0)
    xs = [cr.tensor(rng.uniform(low, 2.0, size=s), dtype=np.float64, requires_grad=True)
          for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    out, jv = cr.jvp(fn, xs, vs)
    assert jv.shape == out.shape and jv.dtype == np.float64 and not jv.requires_grad

    u = rng.standard_normal(out.shape)
    jtu = cr.grad(fn(*xs), xs, grad_outputs=[u], allow_unused=True)
    lhs = float(np.sum(u * jv.data))
    rhs = sum(float(np.sum(g.data * v)) for g, v in zip(jtu, vs, strict=True) if g is not None)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)

    eps = 1e-6  # and J v itself against a centred difference along v
    with cr.no_grad():
        plus = fn(*[cr.tensor(x.data + eps * v, dtype=np.float64)
                    for x, v in zip(xs, vs, strict=True)])
        minus = fn(*[cr.tensor(x.data - eps * v, dtype=np.float64)
                     for x, v in zip(xs, vs, strict=True)])
    np.testing.assert_allclose(jv.data, (plus.data - minus.data) / (2 * eps), atol=1e-6)


def test_jvp_keeps_float32_and_builds_no_graph():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    out, jv = cr.jvp(lambda a: (a * a).sum(), [x], [[1.0, 0.0]])
    assert out.dtype == jv.dtype == np.float32
    assert not out.requires_grad and out._ctx is None
    assert jv.item() == 2.0


def test_constants_have_zero_tangent():
    c = cr.tensor([3.0, 4.0])
    out, jv = cr.jvp(lambda a: a * c + c.exp(), [cr.tensor([1.0, 1.0])], [[1.0, 2.0]])
    np.testing.assert_array_equal(jv.data, [3.0, 8.0])


def test_jvp_errors():
    x = cr.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="1 inputs but 2 tangents"):
        cr.jvp(lambda a: a, [x], [[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(3,\), its input has \(2,\)"):
        cr.jvp(lambda a: a, [x], [[1.0, 1.0, 1.0]])
    with pytest.raises(TypeError, match="must return a Tensor"):
        cr.jvp(lambda a: 1.0, [x], [[1.0, 1.0]])
