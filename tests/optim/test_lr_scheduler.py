"""LRScheduler's bookkeeping, ReduceLROnPlateau against torch, and plot_schedule."""

import json

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from tests.optim.helpers import deviation, run_cr, run_torch


def sgd(lr=0.1, momentum=0.0, groups=1):
    params = [cr.zeros(2, requires_grad=True) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)],
                     lr=lr, momentum=momentum)


def test_each_group_decays_from_its_own_rate():
    opt = sgd(groups=2)
    sched = optim.LRScheduler(opt, optim.ExponentialLR(0.5))
    sched.step()
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.025, 0.05])
    assert opt.lr == pytest.approx(0.025)


def test_one_schedule_per_group_and_plain_callables():
    opt = sgd(groups=2)
    sched = optim.LRScheduler(opt, [optim.StepLR(1, 0.1), lambda t: 0.5 / (t + 1)])
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.01, 0.25])
    state = sched.state_dict()
    assert state["schedules"][1] is None and json.dumps(state)
    with pytest.raises(ValueError, match="got 3 schedules for 2 param groups"):
        optim.LRScheduler(opt, [optim.StepLR(1)] * 3)
    with pytest.raises(TypeError, match="schedule 0 is a float"):
        optim.LRScheduler(opt, 0.1)


def test_momentum_cycling_needs_a_momentum_buffer():
    with pytest.raises(ValueError, match="built with momentum=0"):
        optim.LRScheduler(sgd(), optim.OneCycleLR(0.1, 10))
    with pytest.raises(ValueError, match="needs an optimizer with momentum or betas"):
        optim.LRScheduler(optim.Adagrad([cr.zeros(2, requires_grad=True)]),
                          optim.CyclicLR(0.01, 0.1))
    optim.LRScheduler(sgd(), optim.OneCycleLR(0.1, 10, cycle_momentum=False))


def test_state_dict_restores_the_position():
    opt = sgd()
    sched = optim.LRScheduler(opt, optim.CosineAnnealingLR(20))
    for _ in range(7):
        sched.step()
    state = json.loads(json.dumps(sched.state_dict()))
    opt2 = sgd()
    sched2 = optim.LRScheduler(opt2, optim.CosineAnnealingLR(20))
    sched2.load_state_dict(state)
    sched.step()
    sched2.step()
    assert sched2.last_epoch == 8 and sched2.get_last_lr() == sched.get_last_lr()
    with pytest.raises(ValueError, match="saved 'CosineAnnealingLR', this scheduler has StepLR"):
        optim.LRScheduler(sgd(), optim.StepLR(2)).load_state_dict(state)


def test_reduce_on_plateau_trajectory_matches_torch(torch):
    kwargs = {"factor": 0.5, "patience": 3, "threshold": 0.05, "cooldown": 2}
    ours = run_cr(lambda p: optim.SGD(p, lr=0.05, momentum=0.9), metric_sched=True,
                  make_sched=lambda o: optim.ReduceLROnPlateau(o, **kwargs))
    theirs = run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), metric_sched=True,
                       make_sched=lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o,
                                                                                       **kwargs))
    assert deviation(ours, theirs) < 2e-5


@pytest.mark.parametrize("mode, threshold_mode", [("min", "rel"), ("min", "abs"),
                                                  ("max", "rel"), ("max", "abs")])
def test_reduce_on_plateau_rates_match_torch(torch, mode, threshold_mode):
    metrics = np.random.default_rng(0).normal(size=80).cumsum() * 0.1 + 5
    metrics[[10, 40]] = np.nan
    kwargs = {"mode": mode, "threshold_mode": threshold_mode, "patience": 2, "factor": 0.5,
              "threshold": 0.02, "cooldown": 1, "min_lr": [0.01, 0.001]}
    ours = optim.ReduceLROnPlateau(sgd(groups=2), **kwargs)
    tp = [torch.zeros(1, requires_grad=True) for _ in range(2)]
    topt = torch.optim.SGD([{"params": [tp[0]], "lr": 0.1}, {"params": [tp[1]], "lr": 0.2}])
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    a, b = [], []
    for m in metrics:
        ours.step(m)
        theirs.step(m)
        a.append(ours.get_last_lr())
        b.append(theirs.get_last_lr())
    np.testing.assert_allclose(a, b, rtol=1e-15)
    assert len({tuple(r) for r in a}) > 2


def test_reduce_on_plateau_state_and_errors():
    opt = sgd()
    sched = optim.ReduceLROnPlateau(opt, patience=0)
    for m in (3.0, 2.0, 2.5):
        sched.step(m)
    state = json.loads(json.dumps(sched.state_dict()))
    again = optim.ReduceLROnPlateau(sgd(), patience=0)
    again.load_state_dict(state)
    assert again.best == 2.0 and again.num_bad_epochs == sched.num_bad_epochs
    assert not callable(sched)  # the Trainer tells plateau schedulers from schedules this way
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\), got 1.0"):
        optim.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max', got 'low'"):
        optim.ReduceLROnPlateau(opt, mode="low")
    with pytest.raises(ValueError, match="expected 1 min_lrs, got 2"):
        optim.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    with pytest.raises(ValueError, match="expected the keys"):
        again.load_state_dict({"best": 1.0})


def test_plot_schedule_draws_the_rates(tmp_path):
    schedule = optim.with_warmup(optim.CosineAnnealingLR(40, base_lr=0.1), 10)
    fig = optim.plot_schedule(schedule, 50)
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [schedule(t) for t in range(50)])
    fig.savefig(tmp_path / "schedule.png")
    assert (tmp_path / "schedule.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = optim.plot_schedule([0.1, 0.1, 0.01], ax=fig.axes[0], label="plateau")
    assert again is fig and len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="steps must be a positive int"):
        optim.plot_schedule(schedule)


# ************************************************************* torch's classes, step for step

TORCH_CLASSES = {
    "StepLR": ({"step_size": 3, "gamma": 0.5}, {}),
    "MultiStepLR": ({"milestones": [2, 5, 9], "gamma": 0.3}, {}),
    "ExponentialLR": ({"gamma": 0.9}, {}),
    "CosineAnnealingLR": ({"T_max": 7, "eta_min": 0.01}, {}),
    "CosineAnnealingWarmRestarts": ({"T_0": 4, "T_mult": 2, "eta_min": 0.001}, {}),
    "CyclicLR": ({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular2"}, {}),
    "OneCycleLR": ({"max_lr": 0.2, "epochs": 5, "steps_per_epoch": 5}, {}),
    "LambdaLR": ({"lr_lambda": lambda epoch: 1 / (1 + epoch)}, {}),
}


@pytest.mark.parametrize("name", list(TORCH_CLASSES))
def test_torch_scheduler_classes_give_torch_rates_step_for_step(name):
    torch = pytest.importorskip("torch")
    from chainrule.optim import lr_scheduler

    kwargs, _ = TORCH_CLASSES[name]
    w = cr.zeros(2, requires_grad=True)
    tw = torch.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    ours = getattr(lr_scheduler, name)(opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    for step in range(24):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12), step
        assert opt.param_groups[0]["momentum"] == pytest.approx(
            topt.param_groups[0]["momentum"], rel=1e-12), step
        opt.step()
        topt.step()
        ours.step()
        theirs.step()


def test_reduce_on_plateau_gives_torch_rates():
    torch = pytest.importorskip("torch")
    from chainrule.optim import lr_scheduler

    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=1.0)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ours = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, factor=0.5, patience=1, cooldown=1)
    for metric in [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0]:
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)


def test_torch_scheduler_classes_reject_what_they_cannot_do():
    from chainrule.optim import lr_scheduler

    opt = optim.SGD([cr.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="scale_fn is not supported"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 1.0)
    with pytest.raises(ValueError, match="total_steps, or epochs and steps_per_epoch"):
        lr_scheduler.OneCycleLR(opt, 0.1)
    with pytest.raises(TypeError, match="lr_lambda must be callable"):
        lr_scheduler.LambdaLR(opt, 0.5)
