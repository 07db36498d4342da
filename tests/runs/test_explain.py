"""explain_run on a run trained from a CSV with a categorical column: explain.json and plots."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chainrule.runs.explain import explain_run
from chainrule.runs.predict import predict_run
from chainrule.runs.train import load_run, train_run
from tests.config.test_tabular import _heart
from tests.runs.helpers import mlp_config


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("explain")
    _heart(200).to_csv(root / "heart.csv", index=False)
    config = mlp_config("heart", {"dataset": "csv", "path": str(root / "heart.csv"),
                                  "target": "AHD", "categorical": ["ChestPain"],
                                  "test_fraction": 0.25, "val_fraction": 0.2},
                        epochs=15, seed=1, preprocess=[{"name": "standardize"}])
    return train_run(config, runs_root=root / "runs", verbose=False).run_dir


def test_names_and_categories_survive_save_and_reload(run):
    info = load_run(run).info["tabular"]
    assert info["features"] == ["Age", "ChestPain", "Chol"] and info["classes"] == ["No", "Yes"]
    assert info["categories"] == {"ChestPain": ["asymptomatic", "nonanginal", "typical"]}


def test_predict_takes_a_csv_with_the_same_columns(run, tmp_path):
    rows = _heart(6, seed=5).drop(columns="AHD")[["Chol", "ChestPain", "Age"]]
    rows.to_csv(tmp_path / "new.csv", index=False)
    labels = predict_run(run, tmp_path / "new.csv")
    assert labels.shape == (6,) and set(labels) <= {"No", "Yes"}
    rows.loc[0, "ChestPain"] = "atypical"
    rows.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="'ChestPain' has categories \\['atypical'\\]"):
        predict_run(run, tmp_path / "bad.csv")


def test_explain_json_schema_and_plots(run):
    result = explain_run(run, bootstrap=3, workers=2, n_repeats=3, top=2)
    report = json.loads((run / "explain.json").read_text())
    assert report["task"] == "classification" and report["response"] == "P(Yes)"
    assert report["n_samples"] == 50 and report["data"] == "test"
    names = [f["name"] for f in report["importance"]["features"]]
    assert sorted(names) == ["Age", "ChestPain", "Chol"]  # the one-hot columns as one group
    assert {"mean", "std"} <= set(report["importance"]["features"][0])
    assert [pd["feature"] for pd in report["partial_dependence"]] == \
        [n for n in names if n != "ChestPain"][:2]
    pd0 = report["partial_dependence"][0]
    assert len(pd0["grid"]) == len(pd0["average"]) == len(pd0["at_means"])
    boot = report["bootstrap"]
    assert boot["B"] == 3 and len(boot["rows"]["lower"]) == 20
    assert np.all(np.array(boot["lower"]) <= np.array(boot["upper"]))
    assert 0 <= report["surrogate"]["fidelity"] <= 1
    assert "class: No" in report["surrogate"]["rules"] or "class: Yes" in report["surrogate"][
        "rules"]  # the CSV's class names, not the labels 0 and 1
    assert len(report["saliency"]) == 5
    for plot in report["plots"]:
        assert (run / plot).stat().st_size > 0
    assert {"explain/importance.png", "explain/bootstrap.png", "explain/surrogate.png"} <= \
        set(report["plots"])
    assert result.report["importance"] == report["importance"]


def test_bad_split_is_a_clear_error(run):
    with pytest.raises(ValueError, match="--data must be one of"):
        explain_run(run, data="holdout")
