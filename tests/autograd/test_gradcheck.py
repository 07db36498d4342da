"""gradcheck: centred differences in float64, and a clear table when backprop is wrong."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import GradcheckError
from chainrule.autograd.function import Function


class _OffByOne(Function):
    """sin(x) with a deliberately wrong derivative in its second element."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.sin(a)

    def backward(self, g: np.ndarray) -> np.ndarray:
        d = np.cos(self.a)
        d.flat[1] += 1.0
        return g * d


def _x(*shape: int) -> cr.Tensor:
    data = np.random.default_rng(0).uniform(-1, 1, size=shape)
    return cr.tensor(data, dtype=np.float64, requires_grad=True)


def test_gradcheck_passes_a_correct_op():
    assert cr.gradcheck(lambda a, b: (a * b).exp().sum(axis=0), [_x(3, 2), _x(2)])


def test_gradcheck_reports_a_table_of_the_worst_entries():
    with pytest.raises(GradcheckError) as info:
        cr.gradcheck(_OffByOne.apply, [_x(2, 2)])
    message = str(info.value)
    assert "Jacobian mismatch in 1 entries" in message
    assert "numerical" in message and "analytical" in message and "rel. error" in message
    row = message.splitlines()[-1].split()
    assert row[:3] == ["0", "1", "1"]  # input 0, element 1, output 1
    numerical, analytical = float(row[3]), float(row[4])
    assert analytical == pytest.approx(numerical + 1.0, abs=1e-4)
    assert float(row[5]) == pytest.approx(abs(analytical - numerical) / abs(analytical), 1e-3)


def test_gradcheck_skips_inputs_that_do_not_require_grad():
    const = cr.tensor([1.0, 2.0], dtype=np.float64)
    assert cr.gradcheck(lambda a, c: a * c, [_x(2), const])


def test_gradcheck_works_on_non_contiguous_inputs():
    data = np.random.default_rng(0).uniform(-1, 1, size=(3, 4)).T
    x = cr.Tensor(data, dtype=np.float64, requires_grad=True)
    assert not x.data.flags.c_contiguous
    assert cr.gradcheck(lambda a: (a * a).sum(axis=1), [x])
    with pytest.raises(GradcheckError):
        cr.gradcheck(_OffByOne.apply, [x])
    np.testing.assert_array_equal(x.data, data)  # the inputs are left as they were


def test_gradcheck_input_errors():
    with pytest.raises(ValueError, match="no input requires grad"):
        cr.gradcheck(lambda a: a, [cr.tensor([1.0], dtype=np.float64)])
    with pytest.raises(TypeError, match="input 0 is float32; use float64"):
        cr.gradcheck(lambda a: a, [cr.tensor([1.0], requires_grad=True)])
