"""L-BFGS: torch's trajectory, the Rosenbrock minimum, checkpoints and errors (float64)."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import optim


def problem(hidden):
    rng = np.random.default_rng(0)
    shapes = [(hidden, 4), (hidden,), (2, hidden), (2,)] if hidden else [(2, 4), (2,)]
    weights = [rng.normal(size=s) * 0.5 for s in shapes]
    return weights, rng.normal(size=(30, 4)), rng.integers(0, 2, 30)


def forward(lib, params, x):
    """tanh MLP (4 params) or logistic regression (2 params), in either library."""
    if lib is cr:
        linear, tanh = F.linear, F.tanh
    else:
        linear, tanh = lib.nn.functional.linear, lib.tanh
    if len(params) == 2:
        return linear(x, params[0], params[1])
    return linear(tanh(linear(x, params[0], params[1])), params[2], params[3])


def trajectory(lib, hidden, calls, **kwargs):
    weights, x, y = problem(hidden)
    if lib is cr:
        params = [cr.tensor(w, dtype="float64", requires_grad=True) for w in weights]
        xt, loss_fn = cr.tensor(x, dtype="float64"), lambda out: F.cross_entropy(out, y)
        opt = optim.LBFGS(params, **kwargs)
    else:
        params = [lib.tensor(w, requires_grad=True) for w in weights]
        xt = lib.tensor(x)
        loss_fn = lambda out: lib.nn.functional.cross_entropy(out, lib.tensor(y))  # noqa: E731
        opt = lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn(forward(lib, params, xt))
        loss.backward()
        return loss

    rows = []
    for _ in range(calls):
        opt.step(closure)
        rows.append(np.concatenate([np.asarray(p.detach().numpy() if lib is not cr else p.data)
                                    .ravel() for p in params]))
    state = opt._states[0] if lib is cr else opt.state[params[0]]
    counters = (state.func_evals, state.n_iter) if lib is cr else \
        (state["func_evals"], state["n_iter"])
    return np.array(rows), counters


@pytest.mark.parametrize("hidden, kwargs", [
    (0, {"lr": 1, "max_iter": 10}),
    (0, {"lr": 0.5, "max_iter": 7, "history_size": 3}),
    (6, {"lr": 1, "max_iter": 20, "history_size": 5, "line_search_fn": "strong_wolfe"}),
    (6, {"lr": 0.8, "max_iter": 15, "max_eval": 18, "line_search_fn": "strong_wolfe"}),
], ids=["fixed step", "fixed step short history", "strong Wolfe", "strong Wolfe max_eval"])
def test_trajectory_matches_torch(torch, hidden, kwargs):
    ours, our_counts = trajectory(cr, hidden, 4, **kwargs)
    theirs, their_counts = trajectory(torch, hidden, 4, **kwargs)
    start = np.concatenate([w.ravel() for w in problem(hidden)[0]])
    assert np.abs(theirs[-1] - start).max() > 0.1
    worst = np.abs(ours - theirs).max()
    print(f"LBFGS {kwargs}: worst deviation from torch {worst:.1e}")
    assert worst < 1e-6
    assert our_counts == their_counts


def rosenbrock_run(opt_steps=10):
    xy = cr.tensor([-1.5, 2.0], dtype="float64", requires_grad=True)
    opt = optim.LBFGS([xy], lr=1, max_iter=100, line_search_fn="strong_wolfe",
                      tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        a, b = xy[0], xy[1]
        loss = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        loss.backward()
        return loss
    return xy, opt, closure


def test_reaches_the_rosenbrock_minimum():
    xy, opt, closure = rosenbrock_run()
    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(xy.data, [1.0, 1.0], atol=1e-6)
    assert closure().item() < 1e-12


def test_state_dict_round_trip_resumes_identically(tmp_path):
    xy, opt, closure = rosenbrock_run()
    opt.param_groups[0]["max_iter"] = 5
    opt.step(closure)
    opt.step(closure)
    saved_xy = xy.data.copy()
    cr.save({"opt": opt.state_dict()}, tmp_path / "lbfgs.ckpt")
    opt.step(closure)
    expected = xy.data.copy()

    xy2, opt2, closure2 = rosenbrock_run()
    xy2.data[...] = saved_xy
    opt2.load_state_dict(cr.load(tmp_path / "lbfgs.ckpt")["opt"])
    opt2.step(closure2)
    np.testing.assert_array_equal(xy2.data, expected)
    bad = opt.state_dict()
    bad["state"]["0"]["transform"]["d"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"expected an array of shape \(2,\) float64"):
        opt2.load_state_dict(bad)


def test_bad_use_raises_clear_errors():
    a, b = cr.zeros(2, requires_grad=True), cr.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="Invalid line_search_fn: 'armijo'"):
        optim.LBFGS([a], line_search_fn="armijo")
    with pytest.raises(ValueError, match="Invalid max_iter: 0"):
        optim.LBFGS([a], max_iter=0)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([a], lr=-1)
    with pytest.raises(TypeError, match="needs a closure"):
        optim.LBFGS([a]).step()
