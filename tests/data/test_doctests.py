"""The examples in the data package's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["chainrule.data", "chainrule.data.datasets", "chainrule.data.split",
           "chainrule.data.loader", "chainrule.data.augment", "chainrule.data.preprocess",
           "chainrule.data.preprocess.scale", "chainrule.data.preprocess.pca",
           "chainrule.data.preprocess.pipeline", "chainrule.data.tabular"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": importlib.import_module("numpy")})
    assert result.failed == 0 and result.attempted > 0
