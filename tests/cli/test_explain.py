"""`chainrule explain RUN_DIR`: a 2-D run gets its decision boundary, an image run its
first-layer weights; bad arguments are one line and exit status 2."""

from __future__ import annotations

import json

import pytest

from chainrule.cli import main
from chainrule.runs.train import train_run
from tests.runs.helpers import mlp_config


def _train(tmp_path, dataset):
    config = mlp_config(dataset, {"dataset": dataset, "samples": 200, "limit": 300,
                                  "test_fraction": 0.2, "val_fraction": 0.0})
    return train_run(config, runs_root=tmp_path / "runs", verbose=False).run_dir


def test_two_dimensional_run_gets_a_decision_boundary(tmp_path, capsys):
    run = _train(tmp_path, "moons")
    assert main(["explain", str(run), "--repeats", "2", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "permutation importance" in out and "surrogate tree (depth 3)" in out
    report = json.loads((run / "explain.json").read_text())
    assert "explain/boundary.png" in report["plots"] and report["bootstrap"] is None
    assert (run / "explain" / "boundary.png").stat().st_size > 0


def test_image_run_gets_its_first_layer_weights(tmp_path):
    run = _train(tmp_path, "digits")
    assert main(["explain", str(run), "--repeats", "1", "--top", "1"]) == 0
    report = json.loads((run / "explain.json").read_text())
    assert "explain/weights.png" in report["plots"] and len(report["features"]) == 64


def test_bad_arguments_are_one_line(tmp_path, capsys):
    run = _train(tmp_path, "xor")
    assert main(["explain", str(run), "--data", "val"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("chainrule explain: this run has no val split") and "\n" not in err
    assert main(["explain", str(tmp_path / "missing")]) == 2
    assert "no config.toml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["explain", str(run), "--data", "holdout"])
