"""set_num_threads / get_num_threads: the BLAS thread limit, as torch's functions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


def test_the_limit_takes_effect_and_results_do_not_change():
    before = cr.get_num_threads()
    a = np.random.default_rng(0).standard_normal((300, 300)).astype(np.float32)
    expected = a.astype(np.float64) @ a.astype(np.float64)
    try:
        cr.set_num_threads(1)
        assert cr.get_num_threads() == 1
        np.testing.assert_allclose(a @ a, expected, rtol=1e-4, atol=1e-3)
    finally:
        cr.set_num_threads(before)
    assert cr.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True, None])
def test_a_bad_count_is_refused_with_its_value(bad):
    before = cr.get_num_threads()
    with pytest.raises(ValueError, match=repr(bad).replace("(", r"\(")):
        cr.set_num_threads(bad)
    assert cr.get_num_threads() == before
