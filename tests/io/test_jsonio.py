import json
from pathlib import Path

import numpy as np
import pytest

from chainrule import io


def test_non_finite_numbers_become_null_and_numpy_values_plain():
    obj = {"a": float("nan"), "b": [np.float32(1.5), np.inf, -np.inf], "c": np.arange(3),
           "d": (np.int64(2), None, True), "e": {"f": np.float64("nan")}, "p": Path("x/y")}
    text = io.dumps_json(obj)
    assert "NaN" not in text and "Infinity" not in text
    assert io.loads_json_strict(text) == {"a": None, "b": [1.5, None, None], "c": [0, 1, 2],
                                          "d": [2, None, True], "e": {"f": None}, "p": "x/y"}
    assert "\n" not in io.dumps_json(obj, indent=None)


def test_loads_json_strict_refuses_nan_as_a_strict_parser_does():
    assert json.loads('{"x": NaN}')["x"] != 0  # Python's parser accepts it ...
    with pytest.raises(ValueError, match="NaN"):
        io.loads_json_strict('{"x": NaN}')  # ... a strict one does not


def test_unserialisable_values_name_their_key_path():
    with pytest.raises(TypeError, match="cannot write object as JSON at /a/1"):
        io.dumps_json({"a": [1, object()]})


def test_write_json_is_atomic_and_strict(tmp_path):
    io.write_json(tmp_path / "r.json", {"loss": float("inf")})
    assert io.loads_json_strict((tmp_path / "r.json").read_text()) == {"loss": None}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
