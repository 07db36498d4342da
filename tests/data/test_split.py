"""train_val_split: sizes, disjointness, stratification, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.data import ArrayDataset, train_val_split


def labelled(n=1000, weights=(0.5, 0.3, 0.15, 0.05), seed=0):
    y = np.random.default_rng(seed).choice(len(weights), size=n, p=weights)
    return ArrayDataset(np.arange(n, dtype=np.float32)[:, None], y, name="d", classes=list("abcd"))


def test_sizes_disjoint_and_complete():
    ds = labelled()
    train, val = train_val_split(ds, 0.2, seed=0)
    assert len(val) == 200 and len(train) == 800
    ids = np.concatenate([train.x[:, 0], val.x[:, 0]]).astype(int)
    assert sorted(ids.tolist()) == list(range(1000))
    assert (np.diff(train.x[:, 0]) > 0).all()  # original order kept
    np.testing.assert_array_equal(ds.y[val.x[:, 0].astype(int)], val.y)
    assert (train.name, val.name, val.classes) == ("d-train", "d-val", ds.classes)


def test_stratified_keeps_class_proportions():
    ds = labelled()
    counts = np.bincount(ds.y)
    _, val = train_val_split(ds, 0.3, seed=1)
    got = np.bincount(val.y, minlength=4)
    assert got.sum() == 300
    assert (np.abs(got - 0.3 * counts) <= 1).all()
    _, plain = train_val_split(ds, 0.3, seed=1, stratify=False)
    assert plain.y.size == 300


def test_seed():
    ds = labelled()
    a, b, c = (train_val_split(ds, 0.25, seed=s)[1].x for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_regression_targets_are_split_without_stratification():
    ds = ArrayDataset(np.arange(10.0)[:, None], np.arange(10.0)[:, None])
    train, val = train_val_split(ds, 0.3)
    assert len(val) == 3 and val.y.dtype == np.float32


def test_errors():
    ds = labelled(10)
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError, match="val_fraction"):
            train_val_split(ds, bad)
    with pytest.raises(ValueError, match="both parts"):
        train_val_split(ds, 0.01)
