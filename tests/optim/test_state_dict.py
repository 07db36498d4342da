"""Optimizer checkpoints: a saved and reloaded state continues the identical trajectory."""

import copy

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import optim
from tests.optim.helpers import batch, cr_model, problem


def train(model, opt, start, steps, sched=None):
    _, x, y = problem()
    rows = []
    for step in range(start, start + steps):
        xb, yb = batch(x, y, step)
        opt.zero_grad()
        F.cross_entropy(model(cr.tensor(xb)), yb).backward()
        opt.step()
        if sched is not None:
            sched.step()
        rows.append(np.concatenate([p.data.ravel() for p in model.parameters()]))
    return np.array(rows)


def same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return a == b


MAKERS = {
    "SGD nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                        weight_decay=1e-3),
    "Adam amsgrad": lambda p: optim.Adam(p, lr=1e-2, amsgrad=True, betas=(0.8, 0.99)),
    "AdamW chain": lambda p: optim.AdamW(p, lr=1e-2, fused=False),
    "RMSprop centered momentum": lambda p: optim.RMSprop(p, lr=1e-3, centered=True,
                                                         momentum=0.9),
    "Adagrad lr_decay": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
    "transform chain": lambda p: optim.TransformOptimizer(p, optim.skip_not_finite(optim.chain(
        optim.clip_by_global_norm(0.1), optim.scale_by_adam())), lr=1e-2),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_round_trip_through_a_checkpoint_resumes_bit_for_bit(name, tmp_path):
    weights, _, _ = problem()
    model = cr_model(weights)
    opt = MAKERS[name](model.parameters())
    train(model, opt, 0, 30)
    snapshot = [p.data.copy() for p in model.parameters()]
    cr.save({"optimizer": opt.state_dict()}, tmp_path / "opt.ckpt")  # arrays + JSON scalars
    expected = train(model, opt, 30, 30)

    resumed = cr_model(weights)
    for p, s in zip(resumed.parameters(), snapshot, strict=True):
        p.data[...] = s
    opt2 = MAKERS[name](resumed.parameters())
    opt2.load_state_dict(cr.load(tmp_path / "opt.ckpt")["optimizer"])
    np.testing.assert_array_equal(train(resumed, opt2, 30, 30), expected)


def test_scheduler_and_optimizer_resume_together(tmp_path):
    weights, _, _ = problem()

    def make(model):
        opt = optim.Adam(model.parameters(), lr=1e-2)
        return opt, optim.LRScheduler(opt, optim.OneCycleLR(max_lr=0.02, total_steps=80))

    model = cr_model(weights)
    opt, sched = make(model)
    train(model, opt, 0, 30, sched)
    snapshot = [p.data.copy() for p in model.parameters()]
    cr.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt")
    expected = train(model, opt, 30, 40, sched)

    resumed = cr_model(weights)
    for p, s in zip(resumed.parameters(), snapshot, strict=True):
        p.data[...] = s
    opt2, sched2 = make(resumed)  # as in torch: build the scheduler, then load both
    state = cr.load(tmp_path / "ckpt")
    opt2.load_state_dict(state["opt"])
    sched2.load_state_dict(state["sched"])
    saved_betas = tuple(state["opt"]["param_groups"][0]["betas"])  # cycled by OneCycleLR
    assert opt2.param_groups[0]["betas"] == saved_betas and saved_betas[0] != 0.9
    np.testing.assert_array_equal(train(resumed, opt2, 30, 40, sched2), expected)


def test_saved_options_replace_the_constructed_ones():
    weights, _, _ = problem()
    model = cr_model(weights)
    opt = optim.Adam(model.parameters(), lr=1e-2, amsgrad=True)
    train(model, opt, 0, 5)
    other = optim.Adam(cr_model(weights).parameters(), lr=0.5)
    other.load_state_dict(opt.state_dict())
    assert other.param_groups[0]["amsgrad"] is True and other.lr == 1e-2
    assert same(other.state_dict(), opt.state_dict())


def corrupt(state, path, value):
    state = copy.deepcopy(state)
    node = state
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return state


BAD_LOADS = [
    (("optimizer",), "SGD", "the state is from a 'SGD' optimizer"),
    (("param_groups",), [], r"has 2 param group\(s\)"),
    (("param_groups", 0, "params"), [0, 1, 2], "has 3 parameters, this optimizer has 2"),
    (("param_groups", 1, "eps"), KeyError, r"options do not match \(missing \['eps'\]"),
    (("param_groups", 1, "lr"), -1.0, "Invalid learning rate: -1.0"),
    (("param_groups", 0, "betas"), [0.9, 1.5], "Invalid beta parameter at index 1: 1.5"),
    (("state", "0", "numel"), 7, "holds 384 values, the saved state 7"),
    (("state", "1", "transform", "2", "mu"), np.zeros(5, np.float32),
     r"state\['1'\]\['transform'\]\['2'\]\['mu'\]: expected an array of shape \(35,\)"),
    (("state", "1", "transform", "2", "nu"), np.zeros(35, np.float64), "dtype float32"),
    (("state", "1", "transform", "2", "count"), "3", "expected a non-negative int"),
    (("state", "0", "transform", "2", "surprise"), 1.0, r"unexpected \['surprise'\]"),
]


@pytest.mark.parametrize("path, value, message", BAD_LOADS)
def test_bad_state_is_rejected_before_anything_changes(path, value, message):
    weights, _, _ = problem()
    model = cr_model(weights)
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.ndim == 2][:2]},
              {"params": [p for p in params if p.ndim == 1], "lr": 0.1}]
    opt = optim.Adam(groups, lr=1e-2)
    train(model, opt, 0, 3)
    before = opt.state_dict()
    data = [p.data.copy() for p in params]
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(corrupt(before, path, value))
    assert same(opt.state_dict(), before)
    assert all(np.array_equal(p.data, d) for p, d in zip(params, data, strict=True))
