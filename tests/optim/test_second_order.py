"""scipy.optimize on flattened parameters, finite-difference Hessians and Newton's method."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim


def regression(dtype="float64"):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=40)
    cr.manual_seed(0)
    model = nn.Linear(3, 1).to(dtype)
    data = (cr.tensor(x, dtype=dtype), cr.tensor(y, dtype=dtype))
    design = np.c_[x, np.ones(len(x))]
    return model, data, design, y


def mse(out, target):
    return F.mse_loss(out.reshape(-1), target)


def flat(model):
    return np.concatenate([p.data.ravel() for p in model.parameters()])


@pytest.mark.parametrize("method", ["L-BFGS-B", "CG", "BFGS", "Newton-CG"])
def test_minimize_finds_the_least_squares_solution(method):
    model, data, design, y = regression()
    result = optim.minimize(model, mse, data, method=method, tol=1e-10)
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    # BFGS may stop with "precision loss" once the gradient is down to rounding noise
    assert result.success or "precision loss" in result.message, result.message
    np.testing.assert_allclose(flat(model), solution, atol=1e-6)
    np.testing.assert_allclose(result.x, flat(model))


def test_minimize_trains_a_small_network():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)).to("float64")
    data = (cr.tensor(x, dtype="float64"), y)
    before = F.cross_entropy(model(data[0]), y).item()
    result = optim.minimize(model, F.cross_entropy, data, max_iter=200)
    after = F.cross_entropy(model(data[0]), y).item()
    assert after == pytest.approx(result.fun) and after < 0.5 * before
    assert np.abs(result.jac).max() < 1e-3 or result.nit == 200


def test_finite_difference_hessian_of_a_quadratic_is_exact():
    model, data, design, _ = regression()
    hess = optim.hessian(model, mse, data)
    np.testing.assert_allclose(hess, 2 / len(design) * design.T @ design, rtol=1e-6, atol=1e-8)


def test_newton_converges_in_one_step_on_a_quadratic():
    model, data, design, y = regression()
    losses = optim.newton(model, mse, data, steps=2)
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    best = np.mean((design @ solution - y) ** 2)
    assert losses[0] > 10 * best
    assert losses[1] == pytest.approx(best, rel=1e-9)  # one step lands on the minimum
    assert losses[2] == pytest.approx(best, rel=1e-9)
    np.testing.assert_allclose(flat(model), solution, atol=1e-8)


def test_newton_on_logistic_regression_converges_quadratically():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(80, 2))
    y = (x @ [1.0, -1.0] + 0.5 * rng.normal(size=80) > 0).astype(np.float64)
    cr.manual_seed(0)
    model = nn.Linear(2, 1).to("float64")

    def bce(out, target):
        return F.binary_cross_entropy_with_logits(out.reshape(-1), target)

    data = (cr.tensor(x, dtype="float64"), cr.tensor(y, dtype="float64"))
    losses = optim.newton(model, bce, data, steps=7)
    gaps = np.array(losses) - losses[-1]
    assert all(b < a for a, b in zip(losses[:6], losses[1:7], strict=True))
    assert gaps[5] < 100 * gaps[4] ** 2 and gaps[6] < 100 * gaps[5] ** 2  # quadratic phase
    assert gaps[6] < 1e-11


def test_bad_arguments_raise_clear_errors():
    model, data, _, _ = regression()
    with pytest.raises(ValueError, match="unknown method 'SGD'"):
        optim.minimize(model, mse, data, method="SGD")
    with pytest.raises(ValueError, match=r"data must be a pair \(inputs, targets\)"):
        optim.minimize(model, mse, data[0])
    with pytest.raises(TypeError, match="expected a model with parameters"):
        optim.minimize(lambda x: x, mse, data)
    with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
        optim.newton(model, mse, data, steps=0)
    before = flat(model)
    with pytest.raises(ValueError, match="the Hessian is singular; pass damping > 0"):
        optim.newton(model, lambda out, t: out.sum() * 0.0, data)  # flat: zero Hessian
    np.testing.assert_array_equal(flat(model), before)
