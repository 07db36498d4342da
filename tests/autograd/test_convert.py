"""What a tensor accepts: numbers; strings, objects, complex numbers and ragged rows get a
clear error naming the dtype, the shape and an example value, on every construction path."""

from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn
from chainrule.autograd.convert import numeric_array

# data, exception, what the message must name
BAD = {
    "strings": (np.array([["a", "b"]]), TypeError, "dtype <U1 and shape (1, 2), e.g. 'a'"),
    "string list": ([["x", "y"]], TypeError, "dtype <U1 and shape (1, 2), e.g. 'x'"),
    "bytes": (np.array([[b"a", b"b"]]), TypeError, "dtype |S1 and shape (1, 2), e.g. b'a'"),
    "objects": (np.array([[1.0, None]], dtype=object), TypeError,
                "dtype object and shape (1, 2), e.g. 1.0"),
    "ragged objects": (np.array([[1.0, 2.0], [3.0]], dtype=object), TypeError,
                       "dtype object and shape (2,), e.g. [1.0, 2.0]"),
    "complex": (np.array([[1 + 2j, 0]]), TypeError,
                "dtype complex128 and shape (1, 2): complex numbers are not supported"),
    "datetimes": (np.array([["2020-01-01", "2020-01-02"]], dtype="datetime64[D]"), TypeError,
                  "dtype datetime64[D] and shape (1, 2)"),
    "None": (None, TypeError, "from None (a NoneType)"),
    "ragged rows": ([[1.0, 2.0], [3.0]], ValueError,
                    "ragged rows (nested sequences of different lengths): setting an array "
                    "element with a sequence. The requested array has an inhomogeneous shape "
                    "after 1 dimensions. The detected shape was (2,)"),
}
PATHS = {
    "cr.tensor": cr.tensor,
    "Tensor": cr.Tensor,
    "model": lambda x: nn.Sequential(nn.Linear(2, 3), nn.ReLU())(x),
    "F.linear": lambda x: F.linear(x, cr.ones(3, 2)),
    "operand": lambda x: cr.ones(1, 2) + x,
    "reflected operand": lambda x: x * cr.ones(1, 2),
}


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("name", sorted(BAD))
def test_non_numeric_data_is_refused_clearly_on_every_path(name, path):
    data, exc, names = BAD[name]
    if path == "reflected operand" and not isinstance(data, np.ndarray):
        pytest.skip("only an ndarray defers to the tensor's reflected operator")
    with pytest.raises(exc, match=re.escape(names)) as info:
        PATHS[path](data)
    assert "a tensor holds floating, integer or boolean numbers" in str(info.value) or \
        exc is ValueError


def test_an_explicit_non_numeric_dtype_is_refused():
    for dtype, shown in ((complex, "complex128"), (str, "<U0"), (object, "object")):
        with pytest.raises(TypeError, match=f"cannot make a tensor of dtype {shown}"):
            cr.tensor([1.0, 2.0], dtype=dtype)


def test_a_scalar_operand_that_is_not_a_number_is_refused():
    x = cr.ones(2)
    with pytest.raises(TypeError, match="from None"):
        x + None  # NumPy alone would make it NaN
    with pytest.raises(TypeError, match="from 'a' \\(a str\\)|e.g. 'a'"):
        x * "a"
    with pytest.raises(TypeError, match="dtype <U3"):
        x + np.array(["1.5", "2.5"])  # NumPy alone would parse the strings


def test_booleans_are_numbers_and_integers_too():
    assert cr.tensor([True, False]).dtype == np.bool_  # as torch.tensor
    model = nn.Linear(2, 3)
    mask = np.array([[True, False], [False, True]])
    np.testing.assert_array_equal(model(mask).data, model(mask.astype(np.float32)).data)
    np.testing.assert_array_equal(model(mask.astype(np.int64)).data,
                                  model(mask.astype(np.float32)).data)


def test_numeric_array_keeps_numeric_arrays_as_they_are():
    for dtype in (np.float32, np.float64, np.int8, np.uint16, np.bool_, np.float16):
        arr = np.zeros((2, 3), dtype)
        assert numeric_array(arr) is arr
    arr = np.zeros(3, np.float32)
    assert numeric_array(arr, np.float32) is arr
    assert numeric_array([1, 2], np.float64).dtype == np.float64


def test_torch_refuses_the_same_data():
    torch = pytest.importorskip("torch")
    for name in ("strings", "objects", "ragged objects", "ragged rows", "None"):
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            torch.tensor(BAD[name][0])
    assert torch.tensor(np.array([True])).dtype == torch.bool  # and booleans are fine
