"""Surrogate trees: a network with a one-split rule gives a depth-1 tree of fidelity 1."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.explain import surrogate_tree


def test_the_tree_finds_the_networks_rule(threshold_classifier):
    X = np.random.default_rng(0).uniform(0, 1, size=(400, 2))
    result = surrogate_tree(threshold_classifier, X, max_depth=1, feature_names=["age", "chol"])
    assert result.metric == "accuracy" and result.fidelity == 1.0
    assert result.tree.tree_.feature[0] == 0
    assert result.tree.tree_.threshold[0] == pytest.approx(0.5, abs=0.01)
    assert "age <=" in result.text
    assert result.to_dict()["importances"] == {"age": 1.0, "chol": 0.0}


def test_regression_fidelity_is_r2_against_the_network(additive_net):
    X = np.random.default_rng(1).normal(size=(300, 3))
    shallow = surrogate_tree(additive_net, X, max_depth=1)
    deep = surrogate_tree(additive_net, X, max_depth=6)
    assert shallow.metric == "r2" and 0 < shallow.fidelity < deep.fidelity <= 1
    assert deep.fidelity > 0.95
    with pytest.raises(ValueError, match="max_depth"):
        surrogate_tree(additive_net, X, max_depth=0)


def test_the_rules_name_the_classes_when_given_their_names(threshold_classifier):
    X = np.random.default_rng(0).uniform(0, 1, size=(400, 2))
    named = surrogate_tree(threshold_classifier, X, max_depth=1, class_names=["absent",
                                                                               "present"])
    assert named.class_names == ["absent", "present"]
    assert "class: absent" in named.text and "class: present" in named.text
    plain = surrogate_tree(threshold_classifier, X, max_depth=1)
    assert plain.class_names == ["0", "1"] and "class: 1" in plain.text
