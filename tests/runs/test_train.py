"""train_run into a run directory, and load_run back: same predictions, raw inputs work."""

import json

import numpy as np
import pytest

from chainrule.config import load_config
from chainrule.data import load_digits
from chainrule.runs.predict import predict_run
from chainrule.runs.train import LoadedRun, load_run, train_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    config = load_config("digits_mlp", ["train.epochs=2", "preprocess=[{name = 'pca', "
                                        "n_components = 20}]"])
    return train_run(config, runs_root=root, verbose=False)


def test_run_directory_holds_every_file(trained):
    names = {p.name for p in trained.run_dir.iterdir()}
    assert {"config.toml", "metrics.jsonl", "metrics.csv", "model.safetensors", "results.json",
            "curves.png", "checkpoints"} <= names
    assert trained.curves == trained.run_dir / "curves.png"
    results = json.loads((trained.run_dir / "results.json").read_text())
    assert results["epochs_run"] == 2 and results["test"] == trained.test


def test_load_run_unpacks_and_predicts_raw_inputs_through_the_pca(trained):
    loaded = load_run(trained.run_dir)
    assert isinstance(loaded, LoadedRun)
    config, model, preprocess = loaded
    assert config.name == "digits_mlp" and not model.training and preprocess is not None
    assert loaded.input_shape == (20,) and loaded.raw_shape == (64,)
    digits = load_digits()
    pred = predict_run(loaded, digits.x[:100])  # raw 64-pixel rows, reduced by the run's PCA
    assert pred.shape == (100,) and np.mean(pred == digits.y[:100]) > 0.7


def test_a_second_run_of_the_same_name_gets_its_own_directory(trained):
    again = train_run(load_config("xor", ["train.epochs=1"]), runs_root=trained.run_dir.parent,
                      verbose=False)
    assert again.run_dir.name == "xor"
    assert train_run(load_config("xor", ["train.epochs=1"]), runs_root=trained.run_dir.parent,
                     verbose=False).run_dir.name == "xor-2"


def test_resume_needs_a_run_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a run directory"):
        train_run(None, resume_dir=tmp_path)
    with pytest.raises(ValueError, match="give a config"):
        train_run(None)
