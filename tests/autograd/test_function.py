"""Function and the gradient-recording switches: no_grad, enable_grad, custom ops."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.function import Function


def test_no_grad_as_context_manager():
    x = cr.tensor([1.0], requires_grad=True)
    with cr.no_grad():
        assert not cr.is_grad_enabled()
        y = x * 2
    assert cr.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf


def test_no_grad_as_decorator_keeps_the_function():
    @cr.no_grad()
    def double(t: cr.Tensor) -> cr.Tensor:
        """Twice t."""
        return t * 2

    @cr.no_grad
    def triple(t: cr.Tensor) -> cr.Tensor:
        return t * 3

    x = cr.tensor([1.0], requires_grad=True)
    assert not double(x).requires_grad and not triple(x).requires_grad
    assert double.__doc__ == "Twice t." and double.__name__ == "double"
    assert (x * 2).requires_grad


def test_no_grad_restores_the_state_after_an_exception_and_nests():
    with pytest.raises(ValueError), cr.no_grad():
        raise ValueError("boom")
    assert cr.is_grad_enabled()
    with cr.no_grad():
        with cr.enable_grad():
            assert cr.is_grad_enabled()
            y = cr.tensor([1.0], requires_grad=True) * 2
        with cr.no_grad():
            pass
        assert not cr.is_grad_enabled()
    assert y.requires_grad and cr.is_grad_enabled()


def test_ops_on_constants_record_nothing():
    y = cr.tensor([1.0]) * 2 + cr.tensor([3.0])
    assert not y.requires_grad and y._ctx is None


class _Cube(Function):
    """x^3: a user-defined op with a single-array backward."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return a ** 3

    def backward(self, g: np.ndarray) -> np.ndarray:
        return 3 * g * self.a ** 2

    def jvp(self, ta: np.ndarray) -> np.ndarray:
        return 3 * ta * self.a ** 2


class _Scale(Function):
    """a * k with a keyword parameter and needs_input_grad respected."""

    def forward(self, a: np.ndarray, b: np.ndarray, k: float = 1.0) -> np.ndarray:
        self.k = k
        return a * k + b

    def backward(self, g: np.ndarray) -> tuple:
        return g * self.k, (g if self.needs_input_grad[1] else None)


def test_custom_function():
    x = cr.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    assert cr.gradcheck(_Cube.apply, [x])
    b = cr.tensor([0.0, 0.0])
    y = _Scale.apply(x, b, k=3.0)
    assert repr(y._ctx) == "<_Scale>"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert b.grad is None
    out, tangent = cr.jvp(_Cube.apply, [x], [np.ones(2)])
    np.testing.assert_array_equal(tangent.data, [3.0, 12.0])


class _Seen(Function):
    """Sum of any number of inputs; backward records what needs_input_grad said."""

    seen: tuple = ()

    def forward(self, *arrays: np.ndarray, scale: float = 1.0) -> np.ndarray:
        return sum(arrays) * scale

    def backward(self, g: np.ndarray) -> tuple:
        _Seen.seen = self.needs_input_grad
        return tuple(g for _ in self.inputs)


@pytest.mark.parametrize("flags", [(True,), (False, True), (True, False, True),
                                   (False, False, True, False)])
@pytest.mark.parametrize("params", [{}, {"scale": 2.0}])
def test_needs_input_grad_names_the_inputs_that_require_grad(flags, params):
    xs = [cr.tensor([1.0, 2.0], requires_grad=f) for f in flags]
    y = _Seen.apply(*xs, **params)
    np.testing.assert_array_equal(y.data, np.array([1.0, 2.0]) * len(flags) *
                                  params.get("scale", 1.0))
    assert y.requires_grad and not y.is_leaf
    y.sum().backward()
    assert _Seen.seen == flags
    for x, f in zip(xs, flags, strict=True):
        assert (x.grad is not None) == f


def test_op_on_inputs_without_grad_records_nothing():
    y = _Seen.apply(cr.tensor([1.0]), cr.tensor([2.0]), cr.tensor([3.0]))
    assert not y.requires_grad and y.is_leaf and y.grad is None
    with cr.no_grad():
        z = _Seen.apply(cr.tensor([1.0], requires_grad=True))
    assert not z.requires_grad and z.is_leaf


def test_function_without_backward_or_jvp_says_so():
    class _Forward(Function):
        def forward(self, a: np.ndarray) -> np.ndarray:
            return a + 1

    x = cr.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="_Forward is not differentiable"):
        _Forward.apply(x).backward()
    with pytest.raises(NotImplementedError, match="forward mode is not implemented for _Forward"):
        cr.jvp(_Forward.apply, [x], [np.ones(1)])


def test_backward_returning_too_few_gradients_says_so():
    class _Short(Function):
        def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return a + b

        def backward(self, g: np.ndarray) -> np.ndarray:
            return g

    a, b = cr.ones(2, requires_grad=True), cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="_Short.backward returned 1 gradients for 2 inputs"):
        _Short.apply(a, b).sum().backward()
