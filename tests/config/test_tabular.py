"""[data] dataset = "csv" | "parquet" | "npz": keys, validation, splits and the schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainrule.config.build import build_data
from chainrule.config.schema import DataConfig


def _heart(n=120, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 80, n)
    chest = rng.choice(["typical", "asymptomatic", "nonanginal"], n)
    chol = rng.normal(240, 40, n).round(1)
    risk = (age - 55) / 10 + (chest == "asymptomatic") * 1.5 + rng.normal(0, 0.5, n)
    return pd.DataFrame({"Age": age, "ChestPain": chest, "Chol": chol,
                         "AHD": np.where(risk > 0.5, "Yes", "No")})


def test_csv_config_builds_the_same_splits_as_built_in_sets(tmp_path):
    _heart().to_csv(tmp_path / "heart.csv", index=False)
    cfg = DataConfig(dataset="csv", path=str(tmp_path / "heart.csv"), target="AHD",
                     categorical=["ChestPain"], test_fraction=0.25, val_fraction=0.2)
    splits = build_data(cfg, seed=3)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (72, 18, 30)
    assert not splits.regression and splits.train.x.shape[1] == 5
    assert splits.schema.feature_names == ["Age", "ChestPain=asymptomatic",
                                           "ChestPain=nonanginal", "ChestPain=typical", "Chol"]
    assert splits.schema.classes == ("No", "Yes")
    again = build_data(cfg, seed=3)
    np.testing.assert_array_equal(again.test.x, splits.test.x)


@pytest.mark.parametrize("kind", ["parquet", "npz"])
def test_parquet_and_npz_configs(tmp_path, kind):
    frame = _heart()
    path = tmp_path / f"heart.{kind}"
    if kind == "parquet":
        frame.to_parquet(path)
    else:
        np.savez(path, **{c: np.asarray(frame[c].tolist()) for c in frame.columns})
    cfg = DataConfig(dataset=kind, path=str(path), target="Chol", features=["Age"],
                     test_fraction=0.2)
    splits = build_data(cfg, seed=0)
    assert splits.regression and splits.schema.feature_names == ["Age"]


def test_shipped_table_by_name():
    cfg = DataConfig(dataset="csv", path="chainrule:diabetes.csv", target="progression")
    splits = build_data(cfg, seed=0)
    assert splits.regression and splits.schema.features[:3] == ("age", "sex", "bmi")


def test_table_keys_are_required_for_tables_and_refused_elsewhere():
    with pytest.raises(ValueError, match="needs data.path and data.target"):
        DataConfig(dataset="csv")
    with pytest.raises(ValueError, match="needs data.target"):
        DataConfig(dataset="npz", path="t.npz")
    with pytest.raises(ValueError, match="data.target, data.categorical only apply"):
        DataConfig(dataset="digits", target="y", categorical=["a"])
    with pytest.raises(ValueError, match="task"):
        DataConfig(dataset="csv", path="t.csv", target="y", task="ranking")


def test_bad_table_errors_name_the_column(tmp_path):
    frame = _heart()
    frame.loc[7, "Chol"] = np.nan
    frame.to_csv(tmp_path / "heart.csv", index=False)
    cfg = DataConfig(dataset="csv", path=str(tmp_path / "heart.csv"), target="AHD",
                     categorical=["ChestPain"])
    with pytest.raises(ValueError, match="column 'Chol' has 1 missing value"):
        build_data(cfg, seed=0)
    with pytest.raises(FileNotFoundError, match="no csv file"):
        build_data(cfg.model_copy(update={"path": str(tmp_path / "nope.csv")}), seed=0)
