"""Tables into datasets: encoding, the schema round trip, the shipped CSVs, every bad table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from chainrule.data import TabularDataset, TabularSchema
from chainrule.data.tabular import infer_task, read_table, shipped_path


@pytest.fixture
def frame():
    return pd.DataFrame({
        "age": [63, 37, 41, 56, 57, 44],
        "chest": ["typical", "asymptomatic", "nonanginal", "typical", "typical", "nontypical"],
        "chol": [233.0, 250.0, 204.0, 236.0, 354.0, 263.0],
        "sex": [1, 0, 1, 0, 1, 1],
        "ahd": ["No", "Yes", "No", "Yes", "Yes", "No"],
    })


def test_from_frame_encodes_numeric_and_one_hot_columns_in_order(frame):
    ds = TabularDataset.from_frame(frame, "ahd", categorical=["chest"])
    cats = ("asymptomatic", "nonanginal", "nontypical", "typical")
    assert ds.schema.categories == {"chest": cats}
    assert ds.feature_names == ["age", *[f"chest={c}" for c in cats], "chol", "sex"]
    assert ds.schema.task == "classification" and ds.schema.classes == ("No", "Yes")
    assert ds.y.tolist() == [0, 1, 0, 1, 1, 0]
    np.testing.assert_array_equal(ds.x[:, 0], frame["age"].to_numpy(np.float32))
    one_hot = ds.x[:, 1:5]
    assert one_hot.sum(axis=1).tolist() == [1.0] * 6
    assert [cats[i] for i in one_hot.argmax(axis=1)] == frame["chest"].tolist()
    assert ds.schema.groups == {"age": [0], "chest": [1, 2, 3, 4], "chol": [5], "sex": [6]}


def test_features_select_and_order_columns(frame):
    ds = TabularDataset.from_frame(frame, "chol", features=["sex", "age"])
    assert ds.feature_names == ["sex", "age"] and ds.schema.task == "regression"
    assert ds.y.shape == (6, 1) and ds.y.dtype == np.float32
    np.testing.assert_array_equal(ds.x, frame[["sex", "age"]].to_numpy(np.float32))


@pytest.mark.parametrize("values, task", [
    (["a", "b", "a"], "classification"), ([0, 1, 1], "classification"),
    ([1.0, 2.0, 3.0], "regression"), ([0.5, 1.0, 2.0], "regression"),
    (list(range(30)), "regression"), ([True, False, True], "classification"),
])
def test_task_inference(values, task):
    assert infer_task(pd.Series(values)) == task


def test_explicit_task_overrides_inference(frame):
    ds = TabularDataset.from_frame(frame, "sex", features=["age"], task="regression")
    assert ds.schema.task == "regression" and ds.y.dtype == np.float32


def test_numeric_class_labels_sort_numerically():
    df = pd.DataFrame({"x": range(12), "y": [2, 10, 1] * 4})
    ds = TabularDataset.from_frame(df, "y")
    assert ds.schema.classes == ("1", "2", "10") and ds.y[:3].tolist() == [1, 2, 0]


def test_csv_round_trip_keeps_names_and_categories_through_save_and_reload(frame, tmp_path):
    path = tmp_path / "heart.csv"
    frame.to_csv(path, index=False)
    ds = TabularDataset.from_csv(path, "ahd", categorical=["chest", "sex"])
    saved = json.loads(json.dumps(ds.schema.to_dict()))
    schema = TabularSchema.from_dict(saved)
    assert schema == ds.schema and schema.feature_names == ds.feature_names
    # New rows in another order, with a subset of the categories, encode the same way.
    new = frame.iloc[[5, 0]].drop(columns="ahd").iloc[:, ::-1]
    np.testing.assert_array_equal(schema.encode_features(new), ds.x[[5, 0]])
    again = TabularDataset.from_csv(path, "ignored", schema=schema)
    np.testing.assert_array_equal(again.x, ds.x)
    np.testing.assert_array_equal(again.y, ds.y)


def test_parquet_and_npz_read_the_same_table(frame, tmp_path):
    frame.to_parquet(tmp_path / "t.parquet")
    np.savez(tmp_path / "t.npz", **{c: np.asarray(frame[c].tolist()) for c in frame.columns})
    ref = TabularDataset.from_frame(frame, "ahd", categorical=["chest"])
    for ds in (TabularDataset.from_parquet(tmp_path / "t.parquet", "ahd", categorical=["chest"]),
               TabularDataset.from_npz(tmp_path / "t.npz", "ahd", categorical=["chest"])):
        assert ds.schema == ref.schema
        np.testing.assert_array_equal(ds.x, ref.x)
        np.testing.assert_array_equal(ds.y, ref.y)


def test_shipped_tables_are_the_scikit_learn_sets():
    from sklearn import datasets

    cancer = TabularDataset.shipped("breast_cancer")
    bunch = datasets.load_breast_cancer()
    assert cancer.feature_names == list(bunch.feature_names)
    np.testing.assert_allclose(cancer.x, bunch.data.astype(np.float32), rtol=1e-6)
    # sklearn: 0 = malignant, 1 = benign; here classes sort as (benign, malignant).
    assert cancer.schema.classes == ("benign", "malignant")
    np.testing.assert_array_equal(cancer.y, 1 - bunch.target)
    diabetes = TabularDataset.shipped("diabetes")
    raw = datasets.load_diabetes(scaled=False)
    assert diabetes.schema.task == "regression" and diabetes.x.shape == (442, 10)
    np.testing.assert_allclose(diabetes.y[:, 0], raw.target)
    assert shipped_path("chainrule:diabetes.csv") == shipped_path("diabetes")


# ---------------------------------------------------------------------- bad tables
def _bad(frame, **kwargs):
    kwargs.setdefault("target", "ahd")
    with pytest.raises(ValueError) as err:
        TabularDataset.from_frame(frame, **kwargs)
    return str(err.value)


def test_missing_value_names_the_column_and_rows(frame):
    frame.loc[[1, 4], "chol"] = np.nan
    msg = _bad(frame, categorical=["chest"])
    assert "'chol'" in msg and "2 missing" in msg and "rows 1, 4" in msg


def test_missing_target_value_names_the_target(frame):
    frame.loc[2, "ahd"] = None
    assert "'ahd'" in _bad(frame, categorical=["chest"])


def test_one_class_target(frame):
    frame["ahd"] = "Yes"
    msg = _bad(frame, categorical=["chest"])
    assert "'ahd'" in msg and "one class" in msg and "'Yes'" in msg


def test_non_numeric_column_not_declared_categorical(frame):
    msg = _bad(frame)
    assert "'chest'" in msg and "not numeric" in msg and "categorical" in msg


@pytest.mark.parametrize("kwargs, name", [
    ({"target": "AHD"}, "'AHD'"), ({"features": ["age", "cholesterol"]}, "cholesterol"),
    ({"features": ["age"], "categorical": ["thal"]}, "thal"),
])
def test_unknown_columns_are_named(frame, kwargs, name):
    msg = _bad(frame, **kwargs)
    assert name in msg and "unknown" in msg


def test_categorical_outside_features_and_target_among_features(frame):
    assert "not among the features" in _bad(frame, features=["age"], categorical=["chest"])
    assert "also listed among the features" in _bad(frame, features=["age", "ahd"])


def test_unseen_category_and_missing_column_at_encoding_time(frame):
    schema = TabularDataset.from_frame(frame, "ahd", categorical=["chest"]).schema
    new = frame.copy()
    new.loc[0, "chest"] = "atypical"
    with pytest.raises(ValueError, match="'chest' has categories \\['atypical'\\]"):
        schema.encode_features(new)
    with pytest.raises(ValueError, match="lacks feature column\\(s\\) \\['chol'\\]"):
        schema.encode_features(frame.drop(columns="chol"))


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no csv file"):
        read_table(tmp_path / "nope.csv", "csv")
    (tmp_path / "empty.csv").write_text("a,b\n")
    with pytest.raises(ValueError, match="no rows"):
        read_table(tmp_path / "empty.csv", "csv")
    with pytest.raises(ValueError, match="unknown table format"):
        read_table(tmp_path / "empty.csv", "xlsx")
    np.savez(tmp_path / "bad.npz", a=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="1-D column"):
        read_table(tmp_path / "bad.npz", "npz")
    np.savez(tmp_path / "objects.npz", a=np.array(["x", 1], dtype=object))
    with pytest.raises(ValueError, match="'a'.*pickle"):
        read_table(tmp_path / "objects.npz", "npz")
    with pytest.raises(ValueError, match="no shipped table"):
        shipped_path("iris")
