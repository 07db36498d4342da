"""BackupAndRestore: kills at the dangerous points, Ctrl-C, stale temp files, corrupt headers.

The kill tests are deterministic: the training subprocess SIGKILLs itself from a callback
(or from inside the atomic writer) at exactly the moment under test, then the run is
resumed here and compared bit for bit with an uninterrupted one.
"""

import json
import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import io, nn, optim
from chainrule.data import load_digits, train_val_split
from chainrule.train import Trainer
from chainrule.train import callbacks as cb
from tests.killing import REPO_ROOT

EPOCHS, EVERY = 4, 9  # 1348 samples in batches of 150: 9 steps per epoch, so a step
#                       checkpoint falls on each epoch's last step (issue 18.1)

SETUP = """
import chainrule as cr
from chainrule import nn, optim
from chainrule.data import DataLoader, load_digits, train_val_split
from chainrule.train import Trainer
from chainrule.train import callbacks as cb


def make(run, extra=()):
    cr.manual_seed(3)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    train, val = train_val_split(load_digits(flatten=True), 0.25, seed=0)
    callbacks = [cb.MetricsLogger(run, log_every_steps=4), *extra,
                 cb.Checkpoint(run / "checkpoints", every_n_steps=EVERY, keep_last=3)]
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-2), "cross_entropy",
                      metrics=["accuracy"], callbacks=callbacks)
    loader = DataLoader(train, batch_size=150, shuffle=True, seed=5)
    return model, trainer, loader, val
""".replace("EVERY", str(EVERY))

KILLERS = {
    # between the epoch's metrics row and its end-of-epoch checkpoint (issue 18.1)
    "before-epoch-checkpoint": """
class Kill(cb.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            kill_now()
""",
    # inside the atomic writer, after the temp file is written, before its rename (18.2)
    "inside-checkpoint-write": """
class Kill(cb.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            kill_inside_atomic_write(lambda path: "ckpt-" in path)
""",
    "inside-metrics-write": """
class Kill(cb.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            kill_inside_atomic_write(lambda path: path.endswith("metrics.csv"))
""",
}

_namespace: dict = {}
exec(SETUP, _namespace)
make = _namespace["make"]


def _killed_run(run, killer):
    script = ("import sys\nfrom pathlib import Path\n"
              f"sys.path.insert(0, {REPO_ROOT!r})\n"
              "from tests.killing import kill_inside_atomic_write, kill_now\n"
              + SETUP + KILLERS[killer]
              + f"\nmodel, trainer, loader, val = make(Path(sys.argv[1]), [Kill()])\n"
              f"trainer.fit(loader, val=val, epochs={EPOCHS}, verbose=False)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(run)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run = tmp_path_factory.mktemp("reference")
    model, trainer, loader, val = make(run)
    trainer.fit(loader, val=val, epochs=EPOCHS, verbose=False)
    return model.state_dict(), (run / "metrics.jsonl").read_text(), (run / "metrics.csv")\
        .read_text()


def _strip_time(text):
    rows = [json.loads(line) for line in text.splitlines()]
    return [{k: v for k, v in r.items() if k != "time"} for r in rows]


@pytest.mark.parametrize("killer", sorted(KILLERS))
def test_kill_at_a_dangerous_point_then_resume_is_bit_identical(tmp_path, reference, killer):
    _killed_run(tmp_path, killer)
    if killer.startswith("inside"):
        assert list(tmp_path.rglob(".*.tmp")), "the kill should have left a temp file"
    model, trainer, loader, val = make(tmp_path)
    trainer.fit(loader, val=val, epochs=EPOCHS, resume=True, verbose=False)
    weights, jsonl, csv = reference
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, weights[name])
    records = _strip_time((tmp_path / "metrics.jsonl").read_text())
    assert [r["epoch"] for r in records if r["kind"] == "epoch"] == list(range(EPOCHS))
    assert records == _strip_time(jsonl)
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == EPOCHS + 1
    assert not list(tmp_path.rglob(".*.tmp")), "resume removes the stale temp files it owns"


class _CtrlC(cb.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if self.trainer.global_step == 5:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_saves_at_the_end_of_the_step_then_resume_is_bit_identical(tmp_path, reference):
    model, trainer, loader, val = make(tmp_path, [_CtrlC()])
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt, match="interrupted at step 5; checkpoint saved"):
        trainer.fit(loader, val=val, epochs=EPOCHS, verbose=False)
    assert signal.getsignal(signal.SIGINT) is handler  # restored
    assert (tmp_path / "checkpoints" / "ckpt-000000005.safetensors").exists()
    model, trainer, loader, val = make(tmp_path)
    trainer.fit(loader, val=val, epochs=EPOCHS, resume=True, verbose=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, reference[0][name])


def test_a_flipped_digit_in_the_header_json_is_caught_and_resume_falls_back(tmp_path,
                                                                            reference):
    model, trainer, loader, val = make(tmp_path)
    trainer.fit(loader, val=val, epochs=2, verbose=False)
    newest = sorted((tmp_path / "checkpoints").glob("ckpt-*.safetensors"))[-1]
    data = bytearray(newest.read_bytes())
    n = int.from_bytes(data[:8], "little")
    header = data[8:8 + n].decode()
    at = header.index('"seed')  # inside the structure JSON: a generator state digit
    digit = next(i for i in range(at, n) if header[i].isdigit())
    data[8 + digit] = ord("1" if header[digit] != "1" else "2")
    newest.write_bytes(bytes(data))
    with pytest.raises(io.CheckpointError, match=f"{newest.name}.*header.*checksum mismatch"):
        io.load(newest)
    model, trainer, loader, val = make(tmp_path)
    with pytest.warns(UserWarning, match=f"{newest.name} is unreadable.*falling back"):
        trainer.fit(loader, val=val, epochs=EPOCHS, resume=True, verbose=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, reference[0][name])


def test_resume_without_a_checkpoint_warns_and_starts_from_scratch(tmp_path):
    model, trainer, loader, val = make(tmp_path)
    with pytest.warns(UserWarning, match="no checkpoint was found"):
        trainer.fit(loader, epochs=1, resume=True, verbose=False)
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 10))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy")
    train, _ = train_val_split(load_digits(flatten=True), 0.25, seed=0)
    with pytest.warns(UserWarning, match="without run_dir or a BackupAndRestore"):
        trainer.fit(train, epochs=1, resume=True, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cb.BackupAndRestore(tmp_path / "b").restores_state
