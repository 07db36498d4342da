"""`chainrule train`, then evaluate and predict, end to end in subprocesses, in a temporary
directory; killed and resumed."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from chainrule import io
from chainrule.data import load_digits
from tests.cli.helpers import SMALL, chainrule
from tests.killing import REPO_ROOT


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


# Runs `chainrule train ...` in-process with one more callback that interrupts its own
# process at a chosen point, so every kill lands exactly where the test says (no sleeps).
INTERRUPTED_CLI = """
import os, signal, sys

sys.path.insert(0, REPO_ROOT)
import chainrule.runs.train as runs_train
from chainrule.cli import main
from chainrule.train import callbacks as cb
from tests.killing import kill_inside_atomic_write, kill_now

point, at = sys.argv[1], int(sys.argv[2])


class Interrupt(cb.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if self.trainer.global_step == at and point == "ctrl-c":
            os.kill(os.getpid(), signal.SIGINT)
        if self.trainer.global_step == at and point == "kill":
            kill_now()

    def on_epoch_end(self, epoch, logs=None):
        if epoch == at and point == "kill-before-epoch-checkpoint":  # after the metrics row
            kill_now()
        if epoch == at and point == "kill-inside-checkpoint-write":
            kill_inside_atomic_write(lambda path: "ckpt-" in path)


setup = runs_train.setup


def with_interrupt(*args, **kwargs):
    s = setup(*args, **kwargs)
    s.trainer.callbacks.append(Interrupt())  # last: after the metrics row, before the checkpoint
    return s


runs_train.setup = with_interrupt
sys.exit(main(sys.argv[3:]))
""".replace("REPO_ROOT", repr(REPO_ROOT))


def _interrupted(point: str, at: int, *args: str, cwd: Path) -> int:
    env = {**os.environ, "CI": "1"}
    proc = subprocess.run([sys.executable, "-c", INTERRUPTED_CLI, point, str(at), "train", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode


def test_kill_9_and_ctrl_c_then_resume_is_bit_identical(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL % {"epochs": 5, "every": 3})
    chainrule("train", "small.toml", "--runs", "ref", cwd=tmp_path)
    reference = weights(tmp_path / "ref" / "small")

    run = tmp_path / "runs" / "small"
    # Ctrl-C at step 20: a checkpoint is saved at the end of the step, exit status 130
    assert _interrupted("ctrl-c", 20, "small.toml", cwd=tmp_path) == 130
    assert (run / "checkpoints" / "ckpt-000000020.safetensors").exists()
    resume = ("--resume", "runs/small")
    # kill -9 at the dangerous points (issue 18), each after a resume; the digits training
    # split has 1222 samples in batches of 32: 39 steps per epoch, so step 130 is mid-epoch 3
    for point, at in (("kill-before-epoch-checkpoint", 1), ("kill-inside-checkpoint-write", 2),
                      ("kill", 130)):
        assert _interrupted(point, at, *resume, cwd=tmp_path) == -signal.SIGKILL, point
        if point == "kill-inside-checkpoint-write":  # the next resume removes it
            assert list(run.rglob(".*.tmp")), "the kill inside the writer left its temp file"
    chainrule("train", *resume, cwd=tmp_path)
    resumed = weights(run)
    assert resumed.keys() == reference.keys()
    for name in reference:
        np.testing.assert_array_equal(resumed[name], reference[name])
    epochs = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in epochs if r["kind"] == "epoch"] == [0, 1, 2, 3, 4]
    assert not list(run.rglob(".*.tmp"))


def test_shipped_config_trains_by_name_from_any_directory(tmp_path):
    chainrule("train", "xor", "--set", "train.epochs=15", cwd=tmp_path)
    results = json.loads((tmp_path / "runs" / "xor" / "results.json").read_text())
    assert results["test"]["accuracy"] > 0.9
