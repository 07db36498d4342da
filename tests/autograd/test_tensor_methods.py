"""Tensor's torch-named methods against torch: the same calls in both libraries."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from tests.autograd.check import check_op, torch

SAME_CALL = {
    "view": ([(2, 6)], lambda a: a.view(3, -1)),
    "reshape tuple": ([(2, 6)], lambda a: a.reshape((4, 3))),
    "expand": ([(3, 1)], lambda a: a.expand(2, 3, 4)),
    "permute": ([(2, 3, 4)], lambda a: a.permute(2, 0, 1)),
    "transpose swap": ([(2, 3, 4)], lambda a: a.transpose(0, 2)),
    "contiguous": ([(2, 3)], lambda a: a.T.contiguous()),
    "pow": ([(2, 3)], lambda a: a.pow(3)),
    "neg": ([(2, 3)], lambda a: a.neg()),
    "add alpha": ([(2, 3), (3,)], lambda a, b: a.add(b, alpha=2.0)),
    "sub alpha": ([(2, 3), (2, 3)], lambda a, b: a.sub(b, alpha=0.5)),
    "mul": ([(2, 3), (2, 1)], lambda a, b: a.mul(b)),
    "div": ([(2, 3), (3,)], lambda a, b: a.div(b)),
    "matmul": ([(2, 3), (3, 4)], lambda a, b: a.matmul(b)),
    "clamp": ([(3, 4)], lambda a: a.clamp(-0.5, 0.7)),
    "clamp min": ([(3, 4)], lambda a: a.clamp(min=0.1)),
    "abs": ([(3, 4)], lambda a: a.abs()),
    "exp": ([(3, 4)], lambda a: a.exp()),
}


@pytest.mark.parametrize("name", list(SAME_CALL))
def test_method_matches_torch(name):
    shapes, fn = SAME_CALL[name]
    check_op(shapes, fn, low=-2.0 if name != "div" else 0.5)


@pytest.mark.parametrize("name", ["log", "sqrt"])
def test_positive_domain_methods(name):
    check_op([(3, 4)], lambda a: getattr(a, name)(), low=0.5)


def test_double_and_float_are_differentiable_casts():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).float().sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 3.0]


def test_conversions_and_sizes_like_torch():
    x = cr.tensor([[1.5, -2.0, 0.0]])
    assert x.long().dtype == np.int64 and x.long().tolist() == [[1, -2, 0]]
    assert x.int().dtype == np.int32 and x.bool().tolist() == [[True, True, False]]
    assert x.to(np.float64).dtype == np.float64 and x.to("cpu") is x
    assert x.to("cpu", "float64").dtype == np.float64
    assert x.numel() == 3 and x.dim() == 2 and x.size() == (1, 3) and x.size(1) == 3
    assert x.size(-2) == 1 and x.shape == (1, 3)
    if torch is not None:
        assert x.to(torch.float64).dtype == np.float64
    with pytest.raises(TypeError, match="only a dtype and device='cpu'"):
        x.to(device="cuda")
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        x.size(2)
