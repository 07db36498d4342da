"""The `chainrule` command end to end, in subprocesses, in a temporary directory."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from chainrule import io
from chainrule.data import load_digits

SMALL = """
name = "small"
preprocess = [{name = "standardize"}]

[data]
dataset = "digits"
test_fraction = 0.2
val_fraction = 0.15

[[augment]]
name = "noise"
std = 0.05

[model]
layers = [
  {type = "linear", out_features = 32},
  {type = "relu"},
  {type = "dropout", p = 0.2},
  {type = "linear", out_features = 10},
]

[regularization]
l2 = 1e-4

[optimizer]
name = "adam"
lr = 3e-3

[schedule]
name = "cosine"

[train]
epochs = %(epochs)d
batch_size = 32
seed = 7
checkpoint_every_steps = %(every)d
"""


def chainrule(*args, cwd, check=True, **kwargs):
    env = {**os.environ, "CI": "1"}
    proc = subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"chainrule {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def start(*args, cwd):
    env = {**os.environ, "CI": "1"}
    return subprocess.Popen([sys.executable, "-m", "chainrule", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def weights(run_dir: Path) -> dict:
    return io.load(run_dir / "model.safetensors")["model"]


def test_help_explains_each_command(tmp_path):
    out = chainrule("--help", cwd=tmp_path).stdout
    for command in ("train", "evaluate", "predict"):
        assert command in out
    assert "--resume" in chainrule("train", "--help", cwd=tmp_path).stdout
    assert "raw inputs" in chainrule("predict", "--help", cwd=tmp_path).stdout


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


def test_cli_errors_are_clear(tmp_path):
    (tmp_path / "bad.toml").write_text(SMALL.replace('lr = 3e-3', 'lr = -3') % {
        "epochs": 1, "every": 10})
    proc = chainrule("train", "bad.toml", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "optimizer.lr: Input should be greater than 0 (got -3" in proc.stderr
    proc = chainrule("evaluate", "nowhere", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "nowhere has no config.toml" in proc.stderr


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


@pytest.mark.parametrize("config", ["xor.toml"])
def test_shipped_config_trains(tmp_path, config):
    src = Path(__file__).parents[1] / "configs" / config
    chainrule("train", str(src), "--set", "train.epochs=15", cwd=tmp_path)
    results = json.loads(next((tmp_path / "runs").glob("*/results.json")).read_text())
    assert results["test"]["accuracy"] > 0.9
