"""Reading raw inputs for a trained run: numbers only, finite, shaped like the samples."""

import numpy as np
import pytest

from chainrule.runs.predict import as_inputs, fit_shape, read_inputs


def test_read_inputs_gives_float32(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(6, dtype=np.int64).reshape(2, 3))
    x = read_inputs(tmp_path / "x.npy")
    assert x.dtype == np.float32 and x.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_non_finite_values_are_counted_and_located():
    x = np.zeros((4, 3))
    x[2, 1], x[3, 0] = np.inf, np.nan
    with pytest.raises(ValueError, match=r"inputs have 2 non-finite .* of 12, the first at "
                                         r"index \(2, 1\)"):
        as_inputs(x)


def test_ragged_and_string_inputs_are_refused():
    with pytest.raises(ValueError, match="not an array of numbers"):
        as_inputs([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match="not an array of numbers: .*dtype <U3 and shape \\(2,\\)"):
        as_inputs(np.array(["abc", "def"]))


def test_fit_shape_reshapes_only_when_the_layout_differs():
    assert fit_shape(np.zeros((2, 64)), (8, 8)).shape == (2, 8, 8)
    assert fit_shape(np.zeros((2, 8, 8)), (64,)).shape == (2, 64)
    with pytest.raises(ValueError, match=r"shape \(2, 10\) .* samples of shape \(8, 8\)"):
        fit_shape(np.zeros((2, 10)), (8, 8))
