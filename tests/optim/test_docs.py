"""The examples in the optim docstrings run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = ["chainrule.optim", "chainrule.optim.base", "chainrule.optim.optimizer",
           "chainrule.optim.optimizers", "chainrule.optim.lr_scheduler"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
