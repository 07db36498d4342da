import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from tests.nn.reference import check_module, copy_to_torch

torch = pytest.importorskip("torch")
tnn = torch.nn

CASES = [
    (nn.ReLU(), tnn.ReLU()),
    (nn.LeakyReLU(), tnn.LeakyReLU()),
    (nn.LeakyReLU(0.2), tnn.LeakyReLU(0.2)),
    (nn.ELU(), tnn.ELU()),
    (nn.ELU(0.5), tnn.ELU(0.5)),
    (nn.Sigmoid(), tnn.Sigmoid()),
    (nn.Tanh(), tnn.Tanh()),
    (nn.Softplus(), tnn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=3.0), tnn.Softplus(beta=2.0, threshold=3.0)),
    (nn.Softmax(axis=1), tnn.Softmax(dim=1)),
    (nn.Softmax(), tnn.Softmax(dim=-1)),
    (nn.LogSoftmax(axis=1), tnn.LogSoftmax(dim=1)),
    (nn.LogSoftmax(), tnn.LogSoftmax(dim=-1)),
    (nn.PReLU(), tnn.PReLU()),
    (nn.PReLU(num_parameters=3, init=0.1), tnn.PReLU(num_parameters=3, init=0.1)),
    (nn.SiLU(), tnn.SiLU()),
    (nn.GELU(), tnn.GELU()),
    (nn.GELU("tanh"), tnn.GELU("tanh")),
    (nn.Mish(), tnn.Mish()),
    (nn.SELU(), tnn.SELU()),
    (nn.Softsign(), tnn.Softsign()),
    (nn.LogSigmoid(), tnn.LogSigmoid()),
    (nn.Hardtanh(-2.0, 0.5), tnn.Hardtanh(-2.0, 0.5)),
    (nn.ReLU6(), tnn.ReLU6()),
    (nn.Softmin(1), tnn.Softmin(dim=1)),
]


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
@pytest.mark.parametrize("ours,theirs", CASES, ids=lambda m: repr(m))
def test_activation_matches_torch(ours, theirs, shape):
    copy_to_torch(ours, theirs)
    ours.zero_grad()
    theirs.zero_grad()
    x = np.random.default_rng(1).uniform(-3, 3, shape).astype(np.float32)
    check_module(ours, theirs, x)


def test_step_is_heaviside_with_zero_gradient():
    x = cr.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = nn.Step()(x)
    assert y.data.tolist() == [0.0, 1.0, 1.0]  # deck 004: 1 for x >= 0
    y.sum().backward()
    assert not x.grad.any()


def test_prelu_slope_trains_like_torch():
    ours, theirs = nn.PReLU(4), tnn.PReLU(4)
    opt = torch.optim.SGD(theirs.parameters(), lr=0.5)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.standard_normal((8, 4, 3)).astype(np.float32)
        ours.zero_grad()
        (ours(cr.tensor(x)) ** 2).mean().backward()
        ours.weight.data[...] -= 0.5 * ours.weight.grad
        opt.zero_grad()
        (theirs(torch.tensor(x)) ** 2).mean().backward()
        opt.step()
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-5)
    assert not np.allclose(ours.weight.data, 0.25)


def test_prelu_reprs_and_validation():
    assert repr(nn.PReLU(3)) == "PReLU(num_parameters=3)"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    with pytest.raises(ValueError, match="num_parameters must be a positive integer, got 0"):
        nn.PReLU(0)


def test_new_activation_kinds_are_config_layers():
    for name in ("silu", "gelu", "mish", "selu", "softsign", "logsigmoid", "relu6", "hardtanh"):
        kind = nn.registry.get(name)
        assert isinstance(kind.module(), nn.Module)
    assert nn.registry.get("gelu").options["approximate"].default == "none"
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")
