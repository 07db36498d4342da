"""Every schedule against torch.optim.lr_scheduler: the rates, and a 200-step MLP trajectory."""

import json
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from tests.optim.helpers import deviation, run_cr, run_torch

TOL = 2e-5


def cases(L):  # noqa: N803 -- torch's lr_scheduler module
    """name -> (our schedule, torch scheduler factory, optimizer)."""
    return {
        "ConstantLR": (optim.ConstantLR(0.5, 10), lambda o: L.ConstantLR(o, 0.5, 10), "SGD"),
        "StepLR": (optim.StepLR(30, 0.5), lambda o: L.StepLR(o, 30, 0.5), "SGD"),
        "MultiStepLR": (optim.MultiStepLR([20, 50, 120], 0.3),
                        lambda o: L.MultiStepLR(o, [20, 50, 120], 0.3), "SGD"),
        "ExponentialLR": (optim.ExponentialLR(0.98), lambda o: L.ExponentialLR(o, 0.98), "SGD"),
        "InverseTimeLR": (optim.InverseTimeLR(0.05, 2),
                          lambda o: L.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t / 2)), "Adam"),
        "LinearLR": (optim.LinearLR(0.1, 1.0, 25), lambda o: L.LinearLR(o, 0.1, 1.0, 25), "SGD"),
        "CosineAnnealingLR": (optim.CosineAnnealingLR(50, 1e-3),
                              lambda o: L.CosineAnnealingLR(o, 50, 1e-3), "Adam"),
        "SGDR T_mult=2": (optim.CosineAnnealingWarmRestarts(10, 2, 1e-3),
                          lambda o: L.CosineAnnealingWarmRestarts(o, 10, 2, 1e-3), "SGD"),
        "SGDR T_mult=1": (optim.CosineAnnealingWarmRestarts(7),
                          lambda o: L.CosineAnnealingWarmRestarts(o, 7), "SGD"),
        "CyclicLR triangular": (optim.CyclicLR(0.01, 0.1, 15),
                                lambda o: L.CyclicLR(o, 0.01, 0.1, 15), "SGD"),
        "CyclicLR triangular2": (optim.CyclicLR(0.01, 0.1, 10, 20, mode="triangular2"),
                                 lambda o: L.CyclicLR(o, 0.01, 0.1, 10, 20, mode="triangular2"),
                                 "SGD"),
        "CyclicLR exp_range adam": (
            optim.CyclicLR(1e-3, 1e-2, 12, mode="exp_range", gamma=0.99),
            lambda o: L.CyclicLR(o, 1e-3, 1e-2, 12, mode="exp_range", gamma=0.99), "Adam"),
        "OneCycleLR": (optim.OneCycleLR(0.1, 200), lambda o: L.OneCycleLR(o, 0.1, 200), "SGD"),
        "OneCycleLR adam": (optim.OneCycleLR(0.02, 200), lambda o: L.OneCycleLR(o, 0.02, 200),
                            "Adam"),
        "OneCycleLR three-phase linear": (
            optim.OneCycleLR(0.1, 200, pct_start=0.25, anneal_strategy="linear",
                             three_phase=True, cycle_momentum=False),
            lambda o: L.OneCycleLR(o, 0.1, 200, pct_start=0.25, anneal_strategy="linear",
                                   three_phase=True, cycle_momentum=False), "SGD"),
        "warm-up then cosine": (
            optim.with_warmup(optim.CosineAnnealingLR(150), 50, 0.1),
            lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 50),
                                         L.CosineAnnealingLR(o, 150)], [50]), "SGD"),
    }


NAMES = list(cases(None))


def make_opt(module, name):
    if name == "SGD":
        return lambda p: module.SGD(p, lr=0.05, momentum=0.9)
    return lambda p: module.Adam(p, lr=1e-2)


def rates(opt, sched, steps=200):
    out = []
    for _ in range(steps):
        group = opt.param_groups[0]
        out.append((sched.get_last_lr()[0], group.get("momentum", group.get("betas", [0])[0])))
        opt.step()
        sched.step()
    return np.array(out)


@pytest.mark.parametrize("name", NAMES)
def test_rates_and_momenta_match_torch(torch, name):
    ours, theirs, opt_name = cases(torch.optim.lr_scheduler)[name]
    p, tp = cr.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    tp.grad = torch.zeros(3)
    our_opt, their_opt = make_opt(optim, opt_name)([p]), make_opt(torch.optim, opt_name)([tp])
    a = rates(our_opt, optim.LRScheduler(our_opt, ours))
    b = rates(their_opt, theirs(their_opt))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert np.ptp(a[:, 0]) > 0


@pytest.mark.parametrize("name", NAMES)
def test_trajectory_matches_torch(torch, name):
    ours, theirs, opt_name = cases(torch.optim.lr_scheduler)[name]
    a = run_cr(make_opt(optim, opt_name), make_sched=lambda o: optim.LRScheduler(o, ours))
    b = run_torch(make_opt(torch.optim, opt_name), make_sched=theirs)
    print(f"{name} ({opt_name}): worst deviation from torch {deviation(a, b):.2e}")
    assert deviation(a, b) < TOL, name


def test_optax_style_schedule_inside_a_chain_matches_torch(torch):
    tx = optim.chain(optim.trace(0.9),
                     optim.scale_by_schedule(optim.CosineAnnealingLR(60, base_lr=0.05)))
    a = run_cr(lambda p: optim.TransformOptimizer(p, tx, lr=1.0))
    b = run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
                  make_sched=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 60))
    assert deviation(a, b) < TOL


def test_closed_forms_at_chosen_steps():
    assert optim.StepLR(3, 0.5, base_lr=0.8)(7) == pytest.approx(0.2)
    assert optim.ExponentialLR(math.exp(-0.1), base_lr=2.0)(10) == pytest.approx(2 * math.exp(-1))
    assert optim.InverseTimeLR(0.5, base_lr=1.0)(4) == pytest.approx(1 / 3)
    sgdr = optim.CosineAnnealingWarmRestarts(5, 2, base_lr=1.0)
    assert [sgdr.position(t) for t in (0, 4, 5, 14, 15, 35)] == \
        [(0, 5), (4, 5), (0, 10), (9, 10), (0, 20), (0, 40)]
    assert optim.CosineAnnealingLR(10, 0.1, base_lr=1.1)(10) == pytest.approx(0.1)
    one = optim.OneCycleLR(1.0, 100, div_factor=10.0, final_div_factor=100.0)
    assert one(0) == pytest.approx(0.1) and one(29) == pytest.approx(1.0)
    assert one(99) == pytest.approx(1e-3)
    tri = optim.CyclicLR(0.0, 1.0, 4, cycle_momentum=False)
    assert [tri(t) for t in range(9)] == pytest.approx([0, .25, .5, .75, 1, .75, .5, .25, 0])


@pytest.mark.parametrize("schedule", [s for s, _, _ in cases(None).values()])
def test_state_dict_round_trip(schedule):
    bound = schedule.with_base_lr(0.3)
    state = json.loads(json.dumps(bound.state_dict()))  # JSON values only
    rebuilt = optim.schedule_from_state_dict(state)
    assert rebuilt == bound and [rebuilt(t) for t in range(50)] == [bound(t) for t in range(50)]
    other = type(bound).__new__(type(bound))  # load_state_dict fills every parameter
    other.load_state_dict(state)
    assert other == bound


BAD = [
    (lambda: optim.StepLR(0), "step_size must be a positive int, got 0"),
    (lambda: optim.ExponentialLR(-0.5), "gamma must be non-negative"),
    (lambda: optim.LinearLR(start_factor=0.0), "Starting multiplicative factor expected"),
    (lambda: optim.ConstantLR(factor=2.0), "Constant multiplicative factor expected"),
    (lambda: optim.CosineAnnealingLR(T_max=0), "T_max must be a positive int"),
    (lambda: optim.CosineAnnealingWarmRestarts(0), "Expected positive integer T_0, but got 0"),
    (lambda: optim.CosineAnnealingWarmRestarts(5, 0), "Expected integer T_mult >= 1"),
    (lambda: optim.CyclicLR(0.1, 1.0, mode="saw"), "mode is invalid"),
    (lambda: optim.OneCycleLR(0.1, 100, pct_start=1.5), "Expected float between 0 and 1"),
    (lambda: optim.OneCycleLR(0.1, 0), "Expected positive integer total_steps, but got 0"),
    (lambda: optim.OneCycleLR(0.1, 10, anneal_strategy="exp"), "anneal_strategy must be"),
    (lambda: optim.MultiStepLR([5, 3]), "milestones must be increasing"),
    (lambda: optim.SequentialLR([optim.StepLR(2)], [3]), "one more than the number of"),
    (lambda: optim.StepLR(2)(3), "StepLR has no base_lr: pass base_lr"),
    (lambda: optim.StepLR(2, base_lr=1.0)(-1), "step must be a non-negative int, got -1"),
    (lambda: optim.OneCycleLR(0.1, 10)(11), "Tried to step 11 times"),
    (lambda: optim.schedule_from_state_dict({"type": "Nope"}), "unknown schedule type 'Nope'"),
    (lambda: optim.schedule_from_state_dict({"type": "StepLR", "step_size": 2, "x": 1}),
     r"unknown parameter\(s\) \['x'\]"),
]


@pytest.mark.parametrize("make, message", BAD)
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_load_state_dict_checks_the_type_first():
    step = optim.StepLR(3, base_lr=1.0)
    with pytest.raises(ValueError, match="the state is for 'ExponentialLR'"):
        step.load_state_dict(optim.ExponentialLR(0.5).state_dict())
    assert step == optim.StepLR(3, base_lr=1.0)
