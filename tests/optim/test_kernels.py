"""The fused numba kernels against their reference, the transform chains, bit for bit."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1, "betas": (0.3, 0.9)}),
    ("AdamW", {"lr": 1e-2, "maximize": True}),
    ("AdamW", {"lr": 1e-2, "amsgrad": True, "eps": 1e-3}),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "centered": True, "momentum": 0.9, "weight_decay": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "alpha": 0.2, "centered": True}),
    ("Adagrad", {"lr": 1e-1, "lr_decay": 0.05, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 1e-1, "weight_decay": 1e-2, "maximize": True}),
]


def run(name, kwargs, fused, steps=120, n=1000):
    """Random gradients (the same for both paths), with the lr changed every step."""
    rng = np.random.default_rng(1)
    params = [cr.tensor(rng.normal(size=(n // 4, 3)), requires_grad=True),
              cr.tensor(rng.normal(size=n // 4), requires_grad=True)]
    opt = getattr(optim, name)(params, **kwargs, fused=fused)
    flat = opt.flat_buffers[0]
    base = opt.lr
    for step in range(steps):
        flat.grad[...] = rng.normal(size=flat.grad.size) * rng.uniform(0.1, 10)
        opt.lr = base * (1 + 0.5 * np.sin(step))
        opt.step()
    return flat.data.copy(), opt.state_dict()


def leaves(tree, prefix=""):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, f"{prefix}/{k}")
    else:
        yield prefix, tree


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(CONFIGS)])
def test_fused_kernel_equals_the_chain_bit_for_bit(name, kwargs):
    fused_params, fused_state = run(name, kwargs, fused=None)
    chain_params, chain_state = run(name, kwargs, fused=False)
    start = run(name, kwargs, fused=False, steps=0)[0]
    assert np.abs(chain_params - start).max() > 0.01  # the runs do move
    np.testing.assert_array_equal(fused_params, chain_params)
    fused_leaves, chain_leaves = dict(leaves(fused_state)), dict(leaves(chain_state))
    assert fused_leaves.keys() == chain_leaves.keys()
    for key, value in fused_leaves.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, chain_leaves[key], err_msg=key)
        else:
            assert value == chain_leaves[key], key


def test_kernels_leave_the_gradient_untouched():
    p = cr.tensor(np.ones(10), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad[...] = np.arange(10)
    opt.step()
    np.testing.assert_array_equal(p.grad, np.arange(10, dtype=np.float32))
