"""ArrayDataset validation and the scikit-learn bundled sets."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import data


def test_array_dataset_converts_and_indexes():
    ds = data.ArrayDataset(np.arange(12.0).reshape(6, 2), np.array([0, 1, 2, 0, 1, 2], np.int32),
                      name="toy")
    assert ds.x.dtype == np.float32 and ds.y.dtype == np.int64
    assert len(ds) == 6 and ds.num_classes == 3 and ds.classes is None
    x0, y0 = ds[2]
    assert x0.tolist() == [4.0, 5.0] and y0 == 2
    xb, yb = ds[np.array([5, 0])]
    assert xb.shape == (2, 2) and yb.tolist() == [2, 0]
    assert ds[1:3][1].tolist() == [1, 2]
    assert "toy" in repr(ds) and "n=6" in repr(ds)
    same = np.zeros((3, 2), np.float32)
    assert data.ArrayDataset(same, [0, 1, 0]).x is same  # float32 input is not copied
    assert data.ArrayDataset(same, [True, False, True]).y.dtype == np.int64
    targets = data.ArrayDataset(same, np.ones((3, 1)))
    assert targets.y.dtype == np.float32 and targets.num_classes is None


def test_array_dataset_errors():
    with pytest.raises(ValueError, match=r"3 samples in x .* 2 in y"):
        data.ArrayDataset(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="empty"):
        data.ArrayDataset(np.zeros((0, 2)), np.zeros(0, int))
    x = np.zeros((5, 2))
    x[3, 1] = np.nan
    x[4, 0] = -np.inf
    with pytest.raises(ValueError, match=r"x holds 2 NaN/inf value\(s\); the first is at sample 3"):
        data.ArrayDataset(x, np.zeros(5, int))
    with pytest.raises(ValueError, match="y holds 1 NaN/inf"):
        data.ArrayDataset(np.zeros((2, 1)), [0.5, np.nan])
    with pytest.raises(TypeError, match="dtype <U1"):
        data.ArrayDataset(np.zeros((2, 1)), ["a", "b"])
    with pytest.raises(ValueError, match="sample axis"):
        data.ArrayDataset(np.float32(1), 0)
    with pytest.raises(ValueError, match="label 2 has no class name"):
        data.ArrayDataset(np.zeros((3, 1)), [0, 1, 2], classes=["a", "b"])
    with pytest.raises(ValueError, match="NaN/inf"):  # too large for float32
        data.ArrayDataset(np.array([[1e39]]), [0])


def test_check_finite_accepts_finite_and_ignores_integers():
    data.check_finite(np.full((3, 3), np.finfo(np.float32).max), "x")
    data.check_finite(np.arange(5), "x")
    with pytest.raises(ValueError, match="index 2"):
        data.check_finite(np.array([0.0, 1.0, np.nan]), "v")


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    assert data.data_root() == tmp_path
    monkeypatch.delenv("CHAINRULE_DATA")
    assert data.data_root().parts[-2:] == (".cache", "chainrule")


def test_sklearn_sets():
    pytest.importorskip("sklearn")
    digits = data.load_digits()
    assert digits.x.shape == (1797, 8, 8) and digits.x.dtype == np.float32
    assert digits.x.min() == 0.0 and digits.x.max() == 1.0 and digits.num_classes == 10
    assert data.load_digits(flatten=True).x.shape == (1797, 64)
    iris = data.load_iris()
    assert iris.x.shape == (150, 4) and np.bincount(iris.y).tolist() == [50, 50, 50]
    assert iris.classes == ("setosa", "versicolor", "virginica")
    cancer = data.load_breast_cancer()
    assert cancer.x.shape == (569, 30) and np.bincount(cancer.y).tolist() == [212, 357]
    diabetes = data.load_diabetes()
    assert diabetes.x.shape == (442, 10) and diabetes.y.shape == (442, 1)
    assert diabetes.y.dtype == np.float32 and 25 <= diabetes.y.min() and diabetes.y.max() <= 346


def test_digits_read_without_sklearn_equal_sklearns_loader():
    from sklearn.datasets import load_digits as sklearn_digits

    bunch, ours = sklearn_digits(), data.load_digits()
    np.testing.assert_array_equal(ours.x * 16, bunch.images.astype(np.float32))
    np.testing.assert_array_equal(ours.y, bunch.target)
    assert list(ours.classes) == [str(c) for c in bunch.target_names]


def test_digits_parsed_once_give_independent_writable_arrays():
    from chainrule.data.datasets import _read_table, load_digits

    first = load_digits()
    first.x[0, 0, 0] = 99.0
    first.y[0] = 7
    second = load_digits()
    assert second.x[0, 0, 0] != 99.0 and second.x.flags.writeable
    assert second.y[0] == 0  # the first digit of the file is a 0
    assert _read_table.cache_info().hits >= 1
