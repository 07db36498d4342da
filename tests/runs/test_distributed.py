"""``chainrule train --nproc 2``: real mpiexec ranks against one process, kills and resumes."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from chainrule import io
from chainrule.distributed import launch
from tests.cli.helpers import chainrule
from tests.distributed.conftest import TIMEOUT, mpi_missing

CONFIG = """
name = "dp"
preprocess = [{name = "standardize"}]

[data]
dataset = "digits"
val_fraction = 0.15

[model]
layers = [
  {type = "linear", out_features = 32},
  {type = "tanh"},
%(dropout)s
  {type = "linear", out_features = 10},
]

[optimizer]
name = "adam"
lr = 3e-3

[train]
epochs = 3
batch_size = 64
seed = 3
checkpoint_every_steps = 5
"""


@pytest.fixture(autouse=True)
def needs_mpi(monkeypatch):
    reason = mpi_missing()
    if reason:
        pytest.skip(reason)
    monkeypatch.setenv("OMPI_MCA_btl", "self,tcp")


def weights(run_dir: Path) -> dict[str, np.ndarray]:
    return io.load(run_dir / "model.safetensors")["model"]


def write_config(tmp_path: Path, dropout: bool) -> Path:
    path = tmp_path / "dp.toml"
    layer = '  {type = "dropout", p = 0.2},' if dropout else ""
    path.write_text(CONFIG % {"dropout": layer})
    return path


def test_two_ranks_train_the_model_one_process_trains(tmp_path):
    config = write_config(tmp_path, dropout=False)
    chainrule("train", str(config), "--quiet", "--runs", "one", cwd=tmp_path, timeout=TIMEOUT)
    two = chainrule("train", str(config), "--quiet", "--nproc", "2", "--runs", "two",
                    cwd=tmp_path, timeout=TIMEOUT)
    assert two.stdout.count("run directory:") == 1  # rank 0 alone reports
    assert [p.name for p in (tmp_path / "two").iterdir()] == ["dp"]
    single, parallel = weights(tmp_path / "one" / "dp"), weights(tmp_path / "two" / "dp")
    for key in single:
        np.testing.assert_allclose(parallel[key], single[key], rtol=1e-4, atol=1e-5)
    rows = (tmp_path / "two" / "dp" / "metrics.jsonl").read_text().splitlines()
    epochs = [json.loads(r)["epoch"] for r in rows if json.loads(r)["kind"] == "epoch"]
    assert epochs == [0, 1, 2]  # one writer: each epoch logged once


KILL = """
import os, signal
from pathlib import Path

from chainrule.config import load_config
from chainrule.distributed import world
from chainrule.runs.distributed import parallel_fit
from chainrule.runs.setup import setup

steps = 0


def kill_rank_1(module, inputs, output):  # a hook, not a callback: the callbacks stay as resumed
    global steps
    steps += module.training
    if world().rank == 1 and steps == 17:  # step 17's forward: the last checkpoint is step 15's
        os.kill(os.getpid(), signal.SIGKILL)


run_dir = Path({run_dir!r})
s = setup(load_config(run_dir / "config.toml"))
s.model.register_forward_hook(kill_rank_1)
parallel_fit(s, world(), run_dir, resume=False, verbose=False)
"""


def test_resume_after_a_killed_rank_reaches_the_uninterrupted_weights(tmp_path):
    config = write_config(tmp_path, dropout=True)  # each rank's own dropout stream resumes too
    chainrule("train", str(config), "--quiet", "--nproc", "2", "--runs", "whole",
              cwd=tmp_path, timeout=TIMEOUT)
    run_dir = tmp_path / "killed"
    run_dir.mkdir()
    (run_dir / "config.toml").write_text(config.read_text())
    script = tmp_path / "kill.py"
    script.write_text(textwrap.dedent(KILL.format(run_dir=str(run_dir))))
    job = launch(2, [str(script)], timeout=TIMEOUT, cwd=tmp_path)
    assert job.returncode != 0 and job.message.startswith("rank 1 ")
    assert sorted(p.name for p in (run_dir / "checkpoints").glob("ckpt-*"))[-1] == \
        "ckpt-000000015.safetensors"
    chainrule("train", "--resume", str(run_dir), "--quiet", "--nproc", "2", cwd=tmp_path,
              timeout=TIMEOUT)
    whole, resumed = weights(tmp_path / "whole" / "dp"), weights(run_dir)
    for key in whole:
        np.testing.assert_array_equal(resumed[key], whole[key])


def test_resuming_on_another_number_of_ranks_is_a_clear_error(tmp_path):
    config = write_config(tmp_path, dropout=False)
    chainrule("train", str(config), "--quiet", "--nproc", "2", "--runs", "r", cwd=tmp_path,
              timeout=TIMEOUT)
    proc = chainrule("train", "--resume", str(tmp_path / "r" / "dp"), "--quiet", cwd=tmp_path,
                     check=False, timeout=TIMEOUT)
    assert proc.returncode == 2
    assert "2-rank job" in proc.stderr and "--nproc 2" in proc.stderr
