import json
import math

import numpy as np
import pytest

from chainrule.diagnose.checks import (
    CheckResult,
    combine,
    format_value,
    grade,
    grade_log,
    jsonable,
    worst,
)


def result(verdict, **detail):
    return CheckResult("x", verdict, {"value": 1.0}, "1", "advice", detail)


def test_grade_uses_two_nested_ranges_and_fails_nan():
    ok, tolerable = (1.0, 2.0), (0.5, 4.0)
    assert [grade(v, ok, tolerable) for v in (1.0, 2.0, 0.5, 3.9, 0.49, 4.1)] == \
        ["pass", "pass", "warn", "warn", "fail", "fail"]
    assert grade(math.nan, ok, tolerable) == "fail"
    assert grade(math.inf, (0, math.inf), (0, math.inf)) == "fail"


def test_grade_log_fails_zero_and_negative():
    assert grade_log(1e-3, (1e-4, 1e-2), (1e-5, 1e-1)) == "pass"
    assert grade_log(0.0, (0.0, 1.0), (0.0, 1.0)) == "fail"
    assert grade_log(-1.0, (-2.0, 1.0), (-2.0, 1.0)) == "fail"


def test_worst_and_combine_order_pass_warn_fail():
    assert worst([]) == "pass"
    assert worst([result("pass"), result("warn")]) == "warn"
    assert worst([result("fail"), result("warn")]) == "fail"
    assert combine("pass", "fail", "warn") == "fail"


def test_a_result_needs_a_known_verdict():
    with pytest.raises(ValueError, match="verdict must be one of"):
        result("ok")
    assert result("warn").ok and not result("fail").ok


def test_to_dict_is_strict_json_with_arrays_as_lists_and_nan_as_null():
    r = result("pass", curve=np.array([1.0, np.nan]), n=np.int64(3), nested={"a": (1, np.inf)})
    text = json.dumps(r.to_dict(), allow_nan=False)
    back = json.loads(text)
    assert back["detail"] == {"curve": [1.0, None], "n": 3, "nested": {"a": [1, None]}}
    assert back["verdict"] == "pass" and back["measured"] == {"value": 1.0}
    assert jsonable(np.float32(0.5)) == 0.5


def test_summary_formats_numbers_readably():
    r = CheckResult("x", "pass", {"loss": 2.302585, "ratio": 0.00123, "layer": "0.weight",
                                  "steps": 12}, "", "")
    assert r.summary() == "loss 2.3, ratio 1.23e-03, layer 0.weight, steps 12"
    assert format_value(float("nan")) == "nan" and format_value(0) == "0"
    assert format_value(123456.0) == "1.23e+05"
