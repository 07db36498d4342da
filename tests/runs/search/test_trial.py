import json

import numpy as np
import pytest

from chainrule.config import validate
from chainrule.runs.search.trial import cv_splits, fold_data, train_trial
from chainrule.runs.train import load_run
from tests.search.helpers import tiny


def test_five_folds_use_each_sample_in_exactly_one_validation_fold():
    y = np.repeat(np.arange(3), [20, 13, 7])
    folds = cv_splits(y, 5, seed=0, regression=False)
    val = np.concatenate([v for _, v in folds])
    assert sorted(val.tolist()) == list(range(len(y)))  # each sample once
    for train, v in folds:
        assert not set(train) & set(v) and len(train) + len(v) == len(y)
        assert np.bincount(y[v], minlength=3).min() >= 1  # stratified: every class present
    assert len(cv_splits(np.linspace(0, 1, 23), 5, 0, regression=True)) == 5


def test_too_many_folds_for_the_smallest_class_is_an_error():
    with pytest.raises(ValueError, match="smallest class"):
        cv_splits(np.array([0] * 10 + [1] * 3), 5, 0, regression=False)


def test_fold_data_cuts_training_and_validation_parts_together():
    config = validate(tiny())
    folds = fold_data(config, 4)
    total = len(folds[0].train) + len(folds[0].val)
    assert total == 120  # 160 samples, 25% test held out; val_fraction's part comes back
    assert sum(len(f.val) for f in folds) == total and all(f.test is None for f in folds)


def test_a_cv_trial_reports_the_mean_and_spread_over_folds(tmp_path):
    config = validate(tiny())
    outcome = train_trial(config, tmp_path / "trial-0", "val_accuracy", cv_folds=3)
    assert len(outcome.fold_values) == 3
    assert outcome.value == pytest.approx(np.mean(outcome.fold_values))
    assert outcome.spread == pytest.approx(np.std(outcome.fold_values))
    results = json.loads((tmp_path / "trial-0" / "results.json").read_text())
    assert results["folds"] == outcome.fold_values
    loaded = load_run(tmp_path / "trial-0" / "fold-2")  # each fold is a run folder
    assert loaded.config.name == "tiny"
