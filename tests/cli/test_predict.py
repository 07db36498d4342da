"""`chainrule predict` on bad inputs and broken runs: one line on stderr, exit status 2."""

import pickle

import numpy as np
import pytest

from chainrule.runs.train import train_run
from tests.cli.helpers import SMALL, chainrule


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("predict")
    (root / "small.toml").write_text(SMALL % {"epochs": 1, "every": 1000})
    return train_run(root / "small.toml", runs_root=root / "runs", verbose=False).run_dir


def _broken_copy(run_dir, tmp_path, model_bytes):
    copy = tmp_path / "run"
    copy.mkdir()
    (copy / "config.toml").write_bytes((run_dir / "config.toml").read_bytes())
    (copy / "model.safetensors").write_bytes(model_bytes)
    return copy


def _fails_cleanly(proc, *needles):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule predict: "), proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("inputs, needles", [
    (np.full((3, 64), np.nan, np.float32), ["192 non-finite", "(0, 0)"]),
    (np.array([["a"] * 64] * 2), ["dtype <U1", "numbers"]),
    (np.zeros((2, 63), np.float32), ["(2, 63)", "(64,)"]),
    (np.float32(1.0), ["single number"]),
])
def test_bad_inputs(run_dir, tmp_path, inputs, needles):
    np.save(tmp_path / "x.npy", inputs)
    _fails_cleanly(chainrule("predict", str(run_dir), "x.npy", cwd=tmp_path, check=False),
                   "x.npy", *needles)


def test_object_and_non_npy_inputs_are_refused_without_unpickling(run_dir, tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    _fails_cleanly(chainrule("predict", str(run_dir), "obj.npy", cwd=tmp_path, check=False),
                   "obj.npy", "allow_pickle")
    (tmp_path / "text.npy").write_text("1,2,3\n")
    _fails_cleanly(chainrule("predict", str(run_dir), "text.npy", cwd=tmp_path, check=False),
                   "cannot read text.npy")
    _fails_cleanly(chainrule("predict", str(run_dir), "absent.npy", cwd=tmp_path, check=False),
                   "absent.npy does not exist")


@pytest.mark.parametrize("damage", ["truncated", "pickle", "empty"])
def test_broken_model_file(run_dir, tmp_path, damage):
    good = (run_dir / "model.safetensors").read_bytes()
    data = {"truncated": good[: len(good) // 2],
            "pickle": pickle.dumps({"model": np.zeros(3)}), "empty": b""}[damage]
    broken = _broken_copy(run_dir, tmp_path, data)
    np.save(tmp_path / "x.npy", np.zeros((2, 64), np.float32))
    _fails_cleanly(chainrule("predict", str(broken), "x.npy", cwd=tmp_path, check=False),
                   "model.safetensors")


def test_predictions_print_one_sample_per_line_or_go_to_a_csv(run_dir, tmp_path):
    import csv

    from chainrule.runs.predict import predict_run

    x = np.random.default_rng(0).uniform(0, 16, size=(5, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    expected = [str(v) for v in predict_run(run_dir, tmp_path / "x.npy").tolist()]
    shown = chainrule("predict", str(run_dir), "x.npy", cwd=tmp_path).stdout.splitlines()
    assert shown == expected
    chainrule("predict", str(run_dir), "x.npy", "--output", "p.csv", cwd=tmp_path)
    with open(tmp_path / "p.csv", newline="") as f:
        assert list(csv.reader(f)) == [["prediction"], *([v] for v in expected)]
