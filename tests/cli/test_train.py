"""`chainrule train`, then evaluate and predict, end to end in subprocesses, in a temporary
directory; killed and resumed."""

import json
import signal
import time
from pathlib import Path

import numpy as np

from chainrule import io
from chainrule.data import load_digits
from tests.cli.helpers import SMALL, chainrule, start


def weights(run_dir: Path) -> dict:
    return io.load(run_dir / "model.safetensors")["model"]


def test_train_evaluate_predict_end_to_end(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL % {"epochs": 4, "every": 1000})
    out = chainrule("train", "small.toml", "--set", "train.epochs=3", cwd=tmp_path).stdout
    run = tmp_path / "runs" / "small"
    assert "run directory: runs/small" in out
    for name in ("config.toml", "metrics.jsonl", "metrics.csv", "model.safetensors",
                 "results.json", "curves.png"):
        assert (run / name).exists(), name
    assert "epochs = 3" in (run / "config.toml").read_text()
    results = json.loads((run / "results.json").read_text())
    assert results["test"]["accuracy"] > 0.85

    evaluated = chainrule("evaluate", "runs/small", "--data", "test", cwd=tmp_path).stdout
    assert f"{results['test']['accuracy']:.4f}" in evaluated

    raw = load_digits(flatten=True).x[:50]  # raw pixels: the run's standardisation is applied
    np.save(tmp_path / "raw.npy", raw)
    chainrule("predict", "runs/small", "raw.npy", "--output", "pred.npy", cwd=tmp_path)
    pred = np.load(tmp_path / "pred.npy")
    assert pred.shape == (50,)
    assert np.mean(pred == load_digits().y[:50]) > 0.8

    # a second run of the same name gets its own directory
    chainrule("train", "small.toml", "--set", "train.epochs=1", cwd=tmp_path)
    assert (tmp_path / "runs" / "small-2" / "model.safetensors").exists()


def _wait_for_checkpoint(run_dir: Path, proc, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if list((run_dir / "checkpoints").glob("ckpt-*.safetensors")):
            return
        if proc.poll() is not None:
            raise AssertionError("training finished before it could be interrupted")
        time.sleep(0.02)
    raise AssertionError("no checkpoint appeared")


def test_kill_9_and_ctrl_c_then_resume_is_bit_identical(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL % {"epochs": 5, "every": 3})
    chainrule("train", "small.toml", "--runs", "ref", cwd=tmp_path)
    reference = weights(tmp_path / "ref" / "small")

    run = tmp_path / "runs" / "small"
    proc = start("train", "small.toml", cwd=tmp_path)
    _wait_for_checkpoint(run, proc)
    proc.send_signal(signal.SIGINT)  # Ctrl-C: saves a checkpoint, then exits
    assert proc.wait(timeout=60) != 0
    rng = np.random.default_rng(0)
    for _ in range(3):  # SIGKILL at random moments, possibly mid-write of a checkpoint
        proc = start("train", "--resume", "runs/small", cwd=tmp_path)
        time.sleep(rng.uniform(1.5, 3.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    chainrule("train", "--resume", "runs/small", cwd=tmp_path)
    resumed = weights(run)
    assert resumed.keys() == reference.keys()
    for name in reference:
        np.testing.assert_array_equal(resumed[name], reference[name])
    epochs = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in epochs if r["kind"] == "epoch"] == [0, 1, 2, 3, 4]


def test_shipped_config_trains_by_name_from_any_directory(tmp_path):
    chainrule("train", "xor", "--set", "train.epochs=15", cwd=tmp_path)
    results = json.loads((tmp_path / "runs" / "xor" / "results.json").read_text())
    assert results["test"]["accuracy"] > 0.9
