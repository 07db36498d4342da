"""One helper to run a chainrule module and its torch counterpart side by side."""

from __future__ import annotations

from typing import Any

import numpy as np

import chainrule as cr
from chainrule import nn


def copy_to_torch(ours: nn.Module, theirs: Any) -> None:
    """Give the torch module our parameters and buffers (same names, as torch)."""
    import torch

    state = {k: torch.from_numpy(v) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)


def check_module(ours: nn.Module, theirs: Any, x: np.ndarray, seed: int = 0,
                 atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Same output, same input gradient and same parameter gradients as torch.

    The backward pass is seeded with a random output gradient so that every
    output element matters.
    """
    import torch

    xo = cr.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo.data, yt.detach().numpy(), atol=atol, rtol=rtol,
                               err_msg="forward")
    g = np.random.default_rng(seed).standard_normal(yo.shape).astype(yo.dtype)
    yo.backward(g)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), atol=atol, rtol=rtol,
                               err_msg="input gradient")
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, p in ours_params.items():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), atol=atol,
                                   rtol=rtol, err_msg=f"gradient of {name}")
