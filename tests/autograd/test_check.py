"""The op-testing helper itself must be able to fail."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.function import Function
from tests.autograd.check import check_op


class _WrongSquare(Function):
    """x^2 with the derivative off by a factor (a planted bug)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return a * a

    def backward(self, g: np.ndarray) -> np.ndarray:
        return 3 * g * self.a


class _Float64Leak(Function):
    """The right derivative of 2x, but handed back in float64 (a silent upcast)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * 2

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * np.float64(2.0) if g.dtype == np.float64 else g.astype(np.float64) * 2


def test_check_op_catches_a_wrong_gradient():
    with pytest.raises(cr.autograd.GradcheckError, match="Jacobian mismatch"):
        check_op([(3,)], lambda a: a * a, _WrongSquare.apply)
    with pytest.raises(AssertionError, match="backward pass tensor 0"):
        check_op([(3,)], lambda a: a * a, _WrongSquare.apply, gradcheck=False)


def test_check_op_catches_a_wrong_value_and_shape():
    with pytest.raises(AssertionError, match="forward pass"):
        check_op([(3,)], lambda a: a * 2, lambda a: a * 2.001, gradcheck=False)
    with pytest.raises(AssertionError, match="forward shape"):
        check_op([(3,)], lambda a: a.sum(), lambda a: a.sum(keepdims=True), gradcheck=False)


def test_check_op_catches_a_float64_gradient():
    pytest.importorskip("torch")
    with pytest.raises(AssertionError, match="float32 became float64"):
        check_op([(3,)], lambda a: a * 2, _Float64Leak.apply)
