import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from tests.nn.reference import check_module, copy_to_torch

torch = pytest.importorskip("torch")

CONFIGS = [
    {},
    {"momentum": 0.3, "eps": 1e-3},
    {"momentum": None},
    {"affine": False},
    {"track_running_stats": False},
]


def _pair(num_features, config, seed=0, two_d=False):
    name = "BatchNorm2d" if two_d else "BatchNorm1d"
    ours = getattr(nn, name)(num_features, **config)
    if ours.affine:  # non-trivial gamma and beta
        rng = np.random.default_rng(seed)
        ours.weight.data[...] = rng.uniform(0.5, 2.0, num_features)
        ours.bias.data[...] = rng.standard_normal(num_features)
    theirs = getattr(torch.nn, name)(num_features, **config)
    copy_to_torch(ours, theirs)
    return ours, theirs


def _assert_same_buffers(ours, theirs):
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


@pytest.mark.parametrize("shape", [(16, 5), (8, 5, 7), (4, 5, 3, 2)])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_batchnorm_matches_torch_over_train_and_eval_steps(shape, config):
    ours, theirs = _pair(shape[1], config, two_d=len(shape) == 4)
    rng = np.random.default_rng(1)
    for step in range(4):
        # Shifted, scaled batches so the running statistics move.
        x = (rng.standard_normal(shape) * (1 + step) + step).astype(np.float32)
        ours.zero_grad()
        theirs.zero_grad()
        check_module(ours, theirs, x, seed=step)
        _assert_same_buffers(ours, theirs)
    ours.eval()
    theirs.eval()
    for step in range(2):
        x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        ours.zero_grad()
        theirs.zero_grad()
        check_module(ours, theirs, x, seed=10 + step)
        _assert_same_buffers(ours, theirs)


def test_batchnorm_module_gradcheck_without_affine():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False).double()
    x = cr.tensor(np.random.default_rng(0).standard_normal((5, 3, 2)), dtype="float64",
                  requires_grad=True)
    assert cr.gradcheck(bn, [x])


def test_batchnorm_state_dict_keys_match_torch():
    assert list(nn.BatchNorm1d(4).state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert list(nn.BatchNorm1d(4, affine=False, track_running_stats=False).state_dict()) == []


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\) or \(N, 3, L\), "
                                         r"got \(4, 2\)"):
        bn(cr.randn(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        bn(cr.randn(1, 3))
    assert int(bn.num_batches_tracked) == 0
    bn.eval()
    assert bn(cr.randn(1, 3)).shape == (1, 3)
    with pytest.raises(ValueError, match="momentum must be in"):
        nn.BatchNorm1d(3, momentum=2.0)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected input of shape "
                                         r"\(N, 3, H, W\), got \(4, 3\)"):
        nn.BatchNorm2d(3)(cr.randn(4, 3))


def test_batchnorm_normalises_in_training():
    bn = nn.BatchNorm1d(4)
    x = cr.tensor(np.random.default_rng(0).standard_normal((256, 4)) * 5 + 3)
    y = bn(x).data
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=0), 1, atol=1e-3)


def test_batchnorm_on_data_that_needs_no_gradient():
    bn = nn.BatchNorm1d(3)
    bn(cr.randn(6, 3)).sum().backward()
    np.testing.assert_allclose(bn.bias.grad, 6.0)
    np.testing.assert_allclose(bn.weight.grad, 0.0, atol=1e-5)  # sum of x_hat is 0
