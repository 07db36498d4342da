import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from tests.nn.reference import check_module, copy_to_torch

torch = pytest.importorskip("torch")


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 7)])
def test_linear_matches_torch(bias, shape):
    ours = nn.Linear(7, 4, bias=bias)
    theirs = torch.nn.Linear(7, 4, bias=bias)
    copy_to_torch(ours, theirs)
    check_module(ours, theirs, _x(*shape))


def test_linear_default_init_is_torchs_uniform():
    cr.manual_seed(0)
    fan_in = 400
    layer = nn.Linear(fan_in, 300)
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.98 * bound
    # U(-b, b) has variance b^2 / 3; torch's own init, measured, agrees.
    theirs = torch.nn.Linear(fan_in, 300).weight.detach().numpy()
    assert layer.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.02)
    assert layer.weight.data.var() == pytest.approx(theirs.var(), rel=0.03)


def test_linear_seeded_init_is_deterministic():
    a, b = nn.Linear(5, 3, generator=7), nn.Linear(5, 3, generator=7)
    assert a.weight.data.tobytes() == b.weight.data.tobytes()
    cr.manual_seed(1)
    c = nn.Linear(5, 3)
    cr.manual_seed(1)
    d = nn.Linear(5, 3)
    assert c.bias.data.tobytes() == d.bias.data.tobytes()


def test_linear_rejects_bad_sizes_and_shapes():
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match=r"input of shape \(2, 5\) does not fit weight"):
        nn.Linear(4, 3)(cr.randn(2, 5))


def test_maxout_matches_torch_composition():
    ours = nn.Maxout(6, 3, pieces=4)
    linear = torch.nn.Linear(6, 12)
    copy_to_torch(ours, linear)

    class TorchMaxout(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight, self.bias = linear.weight, linear.bias

        def forward(self, x):
            z = torch.nn.functional.linear(x, self.weight, self.bias)
            return z.view(*z.shape[:-1], 3, 4).amax(dim=-1)

    check_module(ours, TorchMaxout(), _x(5, 6))
    assert repr(ours) == "Maxout(in_features=6, out_features=3, pieces=4, bias=True)"


@pytest.mark.parametrize("axes", [(1, -1), (0, 1), (1, 2)])
def test_flatten_matches_torch(axes):
    check_module(nn.Flatten(*axes), torch.nn.Flatten(*axes), _x(2, 3, 4, 5))


def test_identity_returns_input():
    x = cr.randn(3)
    assert nn.Identity(54, unused="ok")(x) is x


def test_dropout_inverted_training_and_eval():
    layer = nn.Dropout(0.3, generator=0)
    x = cr.ones(200, 500)
    y = layer(x).data
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    layer.eval()
    assert layer(x) is x


def test_dropout_vanilla_scales_at_test_time():
    layer = nn.Dropout(0.25, inverted=False, generator=0)
    x = cr.ones(100, 100)
    assert set(np.unique(layer(x).data)) == {0.0, 1.0}
    layer.eval()
    np.testing.assert_allclose(layer(x).data, 0.75)


def test_mc_dropout_stays_active_in_eval():
    layer = nn.Dropout(0.5, mc=True, generator=0).eval()
    x = cr.ones(10, 100)
    a, b = layer(x).data, layer(x).data
    assert (a == 0).any() and not np.array_equal(a, b)


def test_dropout_seeded_masks_repeat_and_differ_between_calls():
    x = cr.ones(4, 50)
    a, b = nn.Dropout(generator=3), nn.Dropout(generator=3)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)


def test_dropout_gradient_uses_the_mask():
    layer = nn.Dropout(0.5, generator=0)
    x = cr.tensor(np.ones((3, 8), dtype=np.float32), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)


def test_dropout_rejects_bad_probability():
    with pytest.raises(ValueError, match="p must be a probability in \\[0, 1\\], got 1.5"):
        nn.Dropout(1.5)
