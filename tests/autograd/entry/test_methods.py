"""The Tensor methods attached by entry/methods.py."""

from __future__ import annotations

import pytest

import chainrule as cr
from chainrule.autograd.entry.methods import METHODS, attach


def test_every_method_is_attached_and_is_the_entry_point():
    for name, fn in METHODS.items():
        assert getattr(cr.Tensor, name) is fn


def test_a_second_definition_of_a_method_is_refused():
    with pytest.raises(RuntimeError, match=r"Tensor.sum is defined twice"):
        attach({"sum": lambda self: self})
