import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn
from chainrule.nn import regularize as R


def _model(seed=0):
    cr.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return cr.tensor(rng.standard_normal((16, 6))), rng.integers(0, 3, 16)


def test_decay_groups_exclude_biases_and_batchnorm():
    model = _model()
    decay, no_decay = R.decay_groups(model)
    assert [id(p) for p in decay] == [id(model[0].weight), id(model[3].weight)]
    assert [id(p) for p in no_decay] == [id(model[0].bias), id(model[1].weight),
                                         id(model[1].bias), id(model[3].bias)]


def test_base_regularizer_hooks_are_noops():
    reg = R.Regularizer()
    model = _model()
    for hook in (reg.attach, reg.on_train_batch_begin, reg.on_after_backward,
                 reg.on_train_batch_end):
        assert hook(model) is None
    assert reg.penalty(model) is None
    reg.detach()


def test_l2_penalty_value_and_gradient():
    model = _model()
    weights = [model[0].weight.data, model[3].weight.data]
    penalty = R.L2(0.1).penalty(model)
    expected = 0.05 * sum(float((w.astype(np.float64) ** 2).sum()) for w in weights)
    assert penalty.item() == pytest.approx(expected, rel=1e-6)
    penalty.backward()
    np.testing.assert_allclose(model[0].weight.grad, 0.1 * weights[0], rtol=1e-6)
    assert model[0].bias.grad is None and model[1].weight.grad is None


def test_l2_with_sgd_matches_torch_weight_decay():
    torch = pytest.importorskip("torch")
    from tests.nn.reference import copy_to_torch

    ours = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    copy_to_torch(ours, theirs)
    # torch decays every parameter; include the biases here too.
    reg = R.L2(0.3, exclude_bias_and_norm=False)
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1, weight_decay=0.3)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.standard_normal((8, 5)).astype(np.float32)
        y = rng.standard_normal((8, 2)).astype(np.float32)
        ours.zero_grad()
        (F.mse_loss(ours(cr.tensor(x)), y) + reg.penalty(ours)).backward()
        for p in ours.parameters():
            p.data[...] -= 0.1 * p.grad
        opt.zero_grad()
        torch.nn.functional.mse_loss(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        opt.step()
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-5, atol=1e-6)


def test_l1_penalty_value_gradient_and_param_choice():
    model = _model()
    chosen = [model[3].weight]
    penalty = R.L1(0.2, params=chosen).penalty(model)
    assert penalty.item() == pytest.approx(0.2 * np.abs(chosen[0].data).sum(), rel=1e-6)
    penalty.backward()
    np.testing.assert_allclose(chosen[0].grad, 0.2 * np.sign(chosen[0].data))
    assert model[0].weight.grad is None


def test_penalties_skip_frozen_parameters_and_zero_strength():
    model = _model()
    model[0].freeze()
    penalty = R.L2(1.0).penalty(model)
    assert penalty.item() == pytest.approx(0.5 * (model[3].weight.data.astype(float) ** 2).sum(),
                                           rel=1e-6)
    assert R.L2(0.0).penalty(model) is None
    with pytest.raises(ValueError, match="weight_decay must be a non-negative number, got -1"):
        R.L2(-1)


def test_norm_penalty_gradcheck():
    rng = np.random.default_rng(0)
    a = cr.tensor(rng.standard_normal((3, 2)), dtype="float64", requires_grad=True)
    b = cr.tensor(rng.standard_normal(4) + 0.5, dtype="float64", requires_grad=True)
    for order in (1, 2):
        assert cr.gradcheck(lambda a, b, o=order: R.NormPenalty.apply(a, b, scale=0.7, order=o),
                            [a, b])


def test_activation_l1_matches_torch_penalty_gradients():
    torch = pytest.importorskip("torch")
    from tests.nn.reference import copy_to_torch

    ours = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2))
    copy_to_torch(ours, theirs)
    x = np.random.default_rng(0).standard_normal((10, 5)).astype(np.float32)
    reg = R.ActivationL1(0.05, ours[1])
    with pytest.raises(RuntimeError, match="call attach"):
        reg.penalty(ours)
    reg.attach(ours)
    out = ours(cr.tensor(x))
    penalty = reg.penalty(ours)
    (out.sum() + penalty).backward()
    hidden = theirs[1](theirs[0](torch.tensor(x)))
    t_penalty = 0.05 * hidden.abs().sum() / 10
    (theirs[2](hidden).sum() + t_penalty).backward()
    assert penalty.item() == pytest.approx(t_penalty.item(), rel=1e-5)
    np.testing.assert_allclose(ours[0].weight.grad, theirs[0].weight.grad.numpy(), rtol=1e-4,
                               atol=1e-6)
    assert reg.penalty(ours) is None  # used activations are forgotten
    reg.detach()
    ours(cr.tensor(x))
    assert not ours[1]._forward_hooks


def test_max_norm_holds_after_steps():
    model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 3))
    reg = R.MaxNorm(0.5)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = cr.tensor(rng.standard_normal((32, 10)))
        model.zero_grad()
        F.cross_entropy(model(x), rng.integers(0, 3, 32)).backward()
        for p in model.parameters():
            p.data[...] -= 2.0 * p.grad  # big steps push norms past c
        before = model[0].weight.data.copy()
        reg.on_train_batch_end(model)
        norms = np.linalg.norm(model[0].weight.data, axis=1)
        assert (norms <= 0.5 * (1 + 1e-6)).all()
        small = np.linalg.norm(before, axis=1) <= 0.5
        np.testing.assert_array_equal(model[0].weight.data[small], before[small])
        over = ~small
        np.testing.assert_allclose(norms[over], 0.5, rtol=1e-6)
    assert (np.linalg.norm(model[2].weight.data, axis=1) <= 0.5 * (1 + 1e-6)).all()


def test_weight_noise_perturbs_forward_and_restores_clean_weights():
    model = _model().eval()
    x, y = _data()
    clean = {k: v.tobytes() for k, v in model.state_dict().items()}
    reference = model(x).data.copy()
    reg = R.WeightNoise(0.1, generator=0)
    reg.on_train_batch_begin(model)
    noisy_state = model.state_dict()
    assert noisy_state["0.bias"].tobytes() == clean["0.bias"]  # biases are left alone
    assert noisy_state["0.weight"].tobytes() != clean["0.weight"]
    out = model(x)
    assert not np.allclose(out.data, reference)
    model.zero_grad()
    F.cross_entropy(out, y).backward()
    reg.on_after_backward(model)
    assert {k: v.tobytes() for k, v in model.state_dict().items()} == clean
    # The gradient is the one at the noisy weights.
    probe = _model().eval()
    probe.load_state_dict(noisy_state)
    F.cross_entropy(probe(x), y).backward()
    for p, q in zip(model.parameters(), probe.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, q.grad)
    reg.on_train_batch_begin(model)
    reg.detach()
    assert {k: v.tobytes() for k, v in model.state_dict().items()} == clean


def test_weight_noise_state_round_trip_through_a_checkpoint(tmp_path):
    model = _model()
    reg = R.WeightNoise(0.1, generator=3)
    reg.on_train_batch_begin(model)
    reg.on_after_backward(model)
    cr.save({"reg": reg.state_dict()}, tmp_path / "ckpt.safetensors")
    reg.on_train_batch_begin(model)
    expected = model[0].weight.data.copy()
    reg.on_after_backward(model)
    resumed = R.WeightNoise(0.1, generator=99)
    resumed.load_state_dict(cr.load(tmp_path / "ckpt.safetensors")["reg"])
    resumed.on_train_batch_begin(model)
    np.testing.assert_array_equal(model[0].weight.data, expected)
    resumed.detach()
    assert R.WeightNoise(0.1).state_dict() == {}
    with pytest.raises(ValueError, match="draws from the global generator"):
        R.WeightNoise(0.1).load_state_dict(reg.state_dict())
