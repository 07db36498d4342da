"""The decks' worked examples, computed by the engine in reverse and in forward mode.

Expected values are derived here by hand from the formulas, not read off the
slides: deck 002 prints the last column of its forward-mode table without signs.
"""

from __future__ import annotations

import math

import numpy as np

import chainrule as cr
from chainrule import functional as F


def _scalar(v: float, grad: bool = True) -> cr.Tensor:
    return cr.tensor(v, dtype=np.float64, requires_grad=grad)


# ************************************************ decks 001/003: f = (x + y) z

def test_add_and_multiply_gates_reverse_mode():
    x, y, z = _scalar(-2.0), _scalar(5.0), _scalar(-4.0)
    q = x + y
    f = q * z
    assert q.item() == 3.0 and f.item() == -12.0
    (dq,) = cr.grad(f, q, retain_graph=True)
    assert dq.item() == -4.0  # df/dq = z
    f.backward()
    # the add gate hands df/dq to both inputs, the multiply gate swaps its inputs
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_add_and_multiply_gates_forward_mode():
    point = [_scalar(-2.0, False), _scalar(5.0, False), _scalar(-4.0, False)]
    expected = [-4.0, -4.0, 3.0]  # z, z, x + y
    for i, want in enumerate(expected):
        direction = [1.0 if j == i else 0.0 for j in range(3)]
        f, df = cr.jvp(lambda x, y, z: (x + y) * z, point, direction)
        assert f.item() == -12.0 and df.item() == want


# ************************************************ deck 002: the logistic-loss table

X, Y, W = 3.0, 1.0, 3.0


def _table(w: cr.Tensor) -> list[cr.Tensor]:
    """xi_1 .. xi_5 and L^A = -y log p, one node per row of the deck's table."""
    xi1 = -w * X
    xi2 = xi1.exp()
    xi3 = 1 + xi2
    xi4 = 1 / xi3
    xi5 = xi4.log()
    loss = -Y * xi5
    return [xi1, xi2, xi3, xi4, xi5, loss]


def _expected_values() -> list[float]:
    e = math.exp(-W * X)
    return [-W * X, e, 1 + e, 1 / (1 + e), -math.log1p(e), Y * math.log1p(e)]


def _expected_forward_tangents() -> list[float]:
    """d xi_n / dW by the chain rule, row after row."""
    e = math.exp(-W * X)
    d1 = -X
    d2 = e * d1                    # d exp(u) = exp(u) du
    d3 = d2                        # d (1 + u) = du
    d4 = -1 / (1 + e) ** 2 * d3    # d (1 / u) = -du / u^2: positive, as -3e^-9 times -1/xi3^2
    d5 = (1 + e) * d4              # d log(u) = du / u
    return [d1, d2, d3, d4, d5, -Y * d5]


def test_logistic_table_values():
    nodes = _table(_scalar(W))
    np.testing.assert_allclose([n.item() for n in nodes], _expected_values(), rtol=1e-12)


def test_logistic_table_forward_mode():
    tangents = []
    for row in range(6):
        _, t = cr.jvp(lambda w, row=row: _table(w)[row], [_scalar(W, False)], [1.0])
        tangents.append(t.item())
    np.testing.assert_allclose(tangents, _expected_forward_tangents(), rtol=1e-10)
    sigma = 1 / (1 + math.exp(-W * X))
    assert tangents[-1] < 0
    np.testing.assert_allclose(tangents[-1], -Y * X * (1 - sigma), rtol=1e-10)


def test_logistic_table_reverse_mode():
    w = _scalar(W)
    nodes = _table(w)
    adjoints = cr.grad(nodes[-1], nodes[:-1] + [w])  # dL/dxi_n, then dL/dW
    e = math.exp(-W * X)
    expected = [e / (1 + e), 1 / (1 + e), 1 / (1 + e), -(1 + e), -Y]  # dL/dxi_1 .. dL/dxi_5
    np.testing.assert_allclose([a.item() for a in adjoints[:-1]], expected, rtol=1e-10)
    sigma = 1 / (1 + e)
    np.testing.assert_allclose(adjoints[-1].item(), -Y * X * (1 - sigma), rtol=1e-10)
    np.testing.assert_allclose(adjoints[-1].item(), _expected_forward_tangents()[-1],
                               rtol=1e-10)


def test_full_logistic_loss_gradient_is_x_times_sigma_minus_y():
    w = _scalar(W)
    loss = F.binary_cross_entropy_with_logits(w * X, cr.tensor(Y, dtype=np.float64))
    loss.backward()
    sigma = 1 / (1 + math.exp(-W * X))
    np.testing.assert_allclose(w.grad, X * (sigma - Y), rtol=1e-10)  # the B part vanishes at y=1
