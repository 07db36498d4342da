"""chainrule.random: one global generator, seeded by manual_seed; same seed, same bits."""

from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule as cr
from chainrule import random as cr_random


def test_manual_seed_gives_the_same_bits():
    cr.manual_seed(42)
    first = cr_random.default_generator().random(5)
    cr.manual_seed(42)
    np.testing.assert_array_equal(first, cr_random.default_generator().random(5))
    expected = np.random.default_rng(42).random(5)
    np.testing.assert_array_equal(first, expected)


def test_resolve():
    gen = np.random.default_rng(0)
    assert cr_random.resolve(gen) is gen
    cr.manual_seed(1)
    assert cr_random.resolve(None) is cr_random.default_generator()
    np.testing.assert_array_equal(cr_random.resolve(5).random(3),
                                  np.random.default_rng(5).random(3))


def test_state_round_trips_through_json():
    cr.manual_seed(0)
    cr_random.default_generator().random(10)
    state = json.loads(json.dumps(cr_random.get_state()))
    after = cr_random.default_generator().random(4)
    cr.manual_seed(99)
    cr_random.set_state(state)
    np.testing.assert_array_equal(cr_random.default_generator().random(4), after)


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True, None])
def test_manual_seed_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        cr.manual_seed(seed)
