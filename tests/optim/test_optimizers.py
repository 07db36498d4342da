"""The named optimizers against torch.optim over 200 steps, and their contract."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from tests.optim.helpers import deviation, run_cr, run_torch

TOL = 2e-5  # float32: observed worst deviations are 2e-7 .. 3e-6 (see the printed values)

# (optimizer, keyword arguments shared by both libraries, per-group options or None)
CASES = {
    "SGD": ("SGD", {"lr": 0.1}, None),
    "SGD momentum dampening": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.2}, None),
    "SGD nesterov weight_decay": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True,
                                          "weight_decay": 1e-3}, None),
    "SGD maximize": ("SGD", {"lr": 0.005, "momentum": 0.5, "maximize": True}, None),
    "SGD groups": ("SGD", {"lr": 0.05, "momentum": 0.9},
                   {"weights": {"weight_decay": 1e-2}, "biases": {"lr": 0.1, "momentum": 0.5}}),
    "Adam": ("Adam", {"lr": 1e-2}, None),
    "Adam amsgrad weight_decay": ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 1e-2,
                                           "betas": (0.8, 0.99)}, None),
    "Adam maximize": ("Adam", {"lr": 1e-3, "maximize": True}, None),
    "AdamW": ("AdamW", {"lr": 1e-2}, None),
    "AdamW amsgrad groups": ("AdamW", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1},
                             {"weights": {}, "biases": {"weight_decay": 0.0}}),
    "RMSprop": ("RMSprop", {"lr": 1e-3}, None),
    "RMSprop centered": ("RMSprop", {"lr": 1e-3, "centered": True, "alpha": 0.9}, None),
    "RMSprop momentum weight_decay": ("RMSprop", {"lr": 1e-3, "momentum": 0.9,
                                                  "weight_decay": 1e-2}, None),
    "RMSprop centered momentum": ("RMSprop", {"lr": 1e-3, "momentum": 0.5, "centered": True},
                                  None),
    "Adagrad": ("Adagrad", {"lr": 0.1}, None),
    "Adagrad lr_decay weight_decay": ("Adagrad", {"lr": 0.1, "lr_decay": 1e-2,
                                                  "weight_decay": 1e-3,
                                                  "initial_accumulator_value": 0.1,
                                                  "eps": 1e-8}, None),
}


@pytest.mark.parametrize("fused", [None, False], ids=["fused", "chain"])
@pytest.mark.parametrize("case", list(CASES))
def test_trajectory_matches_torch(torch, case, fused):
    name, kwargs, groups = CASES[case]
    ours = run_cr(lambda p: getattr(optim, name)(p, **kwargs, fused=fused), groups=groups)
    theirs = run_torch(lambda p: getattr(torch.optim, name)(p, **kwargs), groups=groups)
    moved = np.abs(theirs[-1] - theirs[0]).max()
    assert moved > 0.05, f"{case}: the run barely moves ({moved}); the test would be too weak"
    worst = deviation(ours, theirs)
    print(f"{case} ({'fused' if fused is None else 'chain'}): worst deviation from torch "
          f"{worst:.2e}")
    assert worst < TOL, f"{case}: deviates from torch by {worst}"


def test_hyperparameters_changed_between_steps_follow_torch(torch):
    def run(runner, module):
        made, calls = [], []

        def make(params):
            made.append(module.SGD(params, lr=0.05, momentum=0.9))
            return made[0]

        def before_step(_params):
            calls.append(None)
            if len(calls) == 50:
                for g in made[0].param_groups:
                    g["momentum"], g["weight_decay"], g["lr"] = 0.5, 1e-2, 0.02
        return runner(make, steps=100, before_step=before_step)

    assert deviation(run(run_cr, optim), run(run_torch, torch.optim)) < TOL


def model_and_loss(dtype="float32"):
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1)).to(dtype)
    x = cr.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=dtype)

    def loss():
        return (model(x) ** 2).mean()
    return model, loss


def test_step_with_closure_returns_its_loss_and_enables_grad():
    model, loss_fn = model_and_loss()
    opt = optim.Adam(model.parameters(), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    with cr.no_grad():
        first = opt.step(closure)
    assert first.item() > opt.step(closure).item()
    assert opt.step() is None


def test_zero_grad_fills_each_flat_buffer_and_keeps_the_views():
    model, loss_fn = model_and_loss()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn().backward()
    assert all(np.abs(p.grad).sum() > 0 for p in model.parameters())
    opt.zero_grad()
    for flat in opt.flat_buffers:
        assert not flat.grad.any()
        flat.check()


def test_param_groups_keep_order_and_options():
    model, _ = model_and_loss()
    params = list(model.parameters())
    opt = optim.Adam([{"params": params[:2], "name": "first"},
                      {"params": params[2:], "lr": 0.5, "betas": (0.5, 0.9)}], lr=0.1)
    assert [g["params"] for g in opt.param_groups] == [params[:2], params[2:]]
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["betas"] == (0.5, 0.9) and opt.param_groups[0]["name"] == "first"
    opt.add_param_group({"params": [cr.zeros(2, requires_grad=True)], "weight_decay": 0.1})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["lr"] == 0.1


def test_lr_property_reads_the_first_group_and_sets_every_group():
    model, _ = model_and_loss()
    params = list(model.parameters())
    opt = optim.SGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.03
    assert [g["lr"] for g in opt.param_groups] == [0.03, 0.03]
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        opt.lr = -1
    assert [g["lr"] for g in opt.param_groups] == [0.03, 0.03]


def test_float64_parameters_use_the_chain():
    model, loss_fn = model_and_loss("float64")
    opt = optim.Adam(model.parameters(), lr=0.1)
    before = loss_fn().item()
    for _ in range(20):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    assert loss_fn().item() < before and model[0].weight.data.dtype == np.float64
    with pytest.raises(ValueError, match="fused=True needs float32"):
        optim.Adam(model_and_loss("float64")[0].parameters(), fused=True)


def test_transform_optimizer_runs_any_chain(torch):
    """chain(clip_by_global_norm, trace) + lr equals torch's clip_grad_norm_ + SGD momentum."""
    tx = optim.chain(optim.clip_by_global_norm(0.1), optim.trace(0.9))
    ours = run_cr(lambda p: optim.TransformOptimizer(p, tx, lr=0.05))
    theirs = run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
                       before_step=lambda ps: torch.nn.utils.clip_grad_norm_(ps, 0.1))
    assert deviation(ours, theirs) < TOL


def test_rebinding_a_parameter_is_caught():
    model, loss_fn = model_and_loss()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn().backward()
    model[0].weight.data = model[0].weight.data.copy()
    with pytest.raises(RuntimeError, match="no longer lives in its flat buffer"):
        opt.step()


# ------------------------------------------------------------------ bad arguments

BAD = [
    ("SGD", {"lr": -1}, "Invalid learning rate: -1"),
    ("SGD", {"lr": "0.1"}, "Invalid learning rate: '0.1'"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"momentum": 0.9, "dampening": 0.1, "nesterov": True}, "Nesterov momentum requires"),
    ("SGD", {"weight_decay": -1e-4}, "Invalid weight_decay value: -0.0001"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, r"Invalid beta parameter at index 1: -0.1"),
    ("Adam", {"betas": (0.9,)}, "Invalid betas"),
    ("AdamW", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ("Adam", {"amsgrad": "yes"}, "Invalid amsgrad value"),
    ("RMSprop", {"alpha": 1.5}, "Invalid alpha value: 1.5"),
    ("RMSprop", {"momentum": float("nan")}, "Invalid momentum value: nan"),
    ("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
    ("Adagrad", {"initial_accumulator_value": -1},
     "Invalid initial_accumulator_value value: -1"),
]


@pytest.mark.parametrize("name, kwargs, message", BAD)
def test_bad_arguments_raise_and_move_nothing(name, kwargs, message):
    p = cr.zeros(3, requires_grad=True)
    data = p.data
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([p], **kwargs)
    assert p.data is data  # not moved into a flat buffer


def test_bad_parameter_lists_raise_clear_errors():
    a, b = cr.zeros(2, requires_grad=True), cr.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 of param group 0 is a ndarray"):
        optim.SGD([a, np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 of param group 0 appears twice"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 of param group 1 is already in param "
                                         "group 0"):
        optim.SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1)
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['lrr'\]"):
        optim.SGD([{"params": [a], "lrr": 0.1}], lr=0.1)
    with pytest.raises(TypeError, match="mixes tensors and dicts"):
        optim.SGD([a, {"params": [b]}], lr=0.1)
    with pytest.raises(TypeError, match="as a set"):
        optim.SGD([{"params": {a, b}}], lr=0.1)
    with pytest.raises(TypeError, match="only floating tensors"):
        optim.SGD([cr.tensor([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([a * 2], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="is already in param group 0"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 1


def test_a_bad_option_in_a_later_group_stops_the_whole_step():
    a, b = cr.ones(3, requires_grad=True), cr.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad[...] = b.grad[...] = 1.0
    opt.param_groups[1]["weight_decay"] = -1.0
    with pytest.raises(ValueError, match="Invalid weight_decay value: -1.0"):
        opt.step()
    assert (a.data == 1).all() and (b.data == 1).all()


def test_mixed_dtypes_need_separate_groups():
    a, b = cr.zeros(2, requires_grad=True), cr.zeros(2, dtype="float64", requires_grad=True)
    data = a.data
    with pytest.raises(TypeError, match=r"mixes dtypes \['float32', 'float64'\]"):
        optim.Adam([a, b])
    assert a.data is data
    optim.Adam([{"params": [a]}, {"params": [b]}])


def test_options_set_to_bad_values_raise_at_the_next_step():
    p = cr.zeros(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = -0.5
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        opt.step()
    opt.param_groups[0]["lr"] = 0.1
    opt.param_groups[0]["momentum"] = 0.9  # needs a buffer the optimizer was built without
    with pytest.raises(ValueError, match="different optimizer state"):
        opt.step()
    assert not p.data.any()


def test_state_arrays_are_the_live_per_parameter_state():
    from chainrule import nn

    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.1)
    arrays = opt.state_arrays()
    assert len(arrays) == 2 and all(a.size == 8 for a in arrays)  # both moments, 6 + 2 values
    model(cr.tensor(np.ones((1, 3), np.float32))).sum().backward()
    opt.step()
    assert any(np.abs(a).max() > 0 for a in opt.state_arrays())
    assert optim.SGD(model.parameters(), lr=0.1).state_arrays() == []
