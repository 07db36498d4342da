"""Polyak and EMA weight averages against torch.optim.swa_utils.AveragedModel."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim


def iterates(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=4).astype(np.float32))
            for _ in range(n)]


def averaged_by_torch(torch, make_averaged, sequence, start=0):
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    model = torch.nn.Linear(3, 4)
    averaged = AveragedModel(model) if make_averaged == "swa" else \
        AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(make_averaged))
    for k, (w, b) in enumerate(sequence):
        with torch.no_grad():
            model.weight.copy_(torch.tensor(w))
            model.bias.copy_(torch.tensor(b))
        if k >= start:
            averaged.update_parameters(model)
    return [p.detach().numpy() for p in averaged.module.parameters()]


def averaged_by_us(averager_cls, kwargs, sequence):
    layer = nn.Linear(3, 4)
    avg = averager_cls(layer.parameters(), **kwargs)
    for w, b in sequence:
        layer.weight.data[...] = w
        layer.bias.data[...] = b
        avg.update()
    return layer, avg


@pytest.mark.parametrize("start", [0, 10])
def test_polyak_is_torchs_running_mean(torch, start):
    sequence = iterates()
    _, avg = averaged_by_us(optim.Polyak, {"start": start}, sequence)
    expected = averaged_by_torch(torch, "swa", sequence, start)
    for ours, theirs in zip(avg.average, expected, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(avg.average[0], np.mean([w for w, _ in sequence[start:]], axis=0),
                               rtol=1e-5, atol=1e-6)
    assert avg.n_averaged == len(sequence) - start and avg.count == len(sequence)


def test_ema_matches_torch(torch):
    sequence = iterates()
    _, avg = averaged_by_us(optim.EMA, {"decay": 0.9}, sequence)
    for ours, theirs in zip(avg.average, averaged_by_torch(torch, 0.9, sequence), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_swap_into_and_back():
    sequence = iterates(5)
    layer, avg = averaged_by_us(optim.EMA, {"decay": 0.5}, sequence)
    weight = layer.weight.data
    average = avg.average[0].copy()
    with avg.swap_into():
        np.testing.assert_array_equal(layer.weight.data, average)
        assert layer.weight.data is weight  # written in place, flat-buffer views survive
        with pytest.raises(RuntimeError, match="restore"):
            avg.update()
    np.testing.assert_array_equal(layer.weight.data, sequence[-1][0])
    np.testing.assert_array_equal(avg.average[0], average)
    other = nn.Linear(3, 4)
    with avg.swap_into(other.parameters()):
        np.testing.assert_array_equal(other.weight.data, average)
    avg.copy_to()
    np.testing.assert_array_equal(layer.weight.data, average)


def test_averaging_through_training_with_an_optimizer():
    cr.manual_seed(0)
    layer = nn.Linear(3, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    ema = optim.EMA(layer.parameters(), decay=0.9)
    x = cr.tensor(np.random.default_rng(0).normal(size=(16, 3)))
    for _ in range(20):
        opt.zero_grad()
        (layer(x) ** 2).mean().backward()
        opt.step()
        ema.update()
    with ema.swap_into():
        opt.flat_buffers[0].check()  # still views of the optimizer's buffer
    assert not np.array_equal(ema.average[0], layer.weight.data)


def test_state_dict_round_trip_and_errors():
    sequence = iterates(6)
    _, avg = averaged_by_us(optim.Polyak, {"start": 2}, sequence)
    state = avg.state_dict()
    _, fresh = averaged_by_us(optim.Polyak, {"start": 2}, [])
    fresh.load_state_dict(state)
    assert fresh.n_averaged == 4 and fresh.count == 6
    np.testing.assert_array_equal(fresh.average[1], avg.average[1])
    bad = dict(state, average={"0": np.zeros((2, 2), np.float32), "1": state["average"]["1"]})
    with pytest.raises(ValueError, match=r"average 0 should be \(4, 3\) float32"):
        fresh.load_state_dict(bad)
    np.testing.assert_array_equal(fresh.average[0], avg.average[0])
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5"):
        optim.EMA(nn.Linear(2, 2).parameters(), decay=1.5)
    with pytest.raises(RuntimeError, match="nothing averaged yet"):
        optim.EMA(nn.Linear(2, 2).parameters()).swap()
    with pytest.raises(ValueError, match="do not match the averaged ones"):
        avg.swap(nn.Linear(2, 2).parameters())
