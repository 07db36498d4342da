"""A battery of bad inputs through the public Python API and the CLI.

Each case asserts the exception type (or, for the CLI, one line and exit status 2), that the
message names the offending value, shape or key, and that the model, the optimizer, the
global generator and the files on disk are unchanged (tests/unchanged.py).
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule import io, nn, optim
from chainrule.data import ArrayDataset, load_digits, train_val_split
from chainrule.train import Trainer, metrics, predict, predict_proba
from chainrule.train import callbacks as cb
from tests.unchanged import Snapshot

CASES: list = []


def case(exc: type[BaseException], match: str):
    """Register ``fn(env)`` as a case that must raise ``exc`` with a message matching ``match``."""
    def register(fn):
        CASES.append(pytest.param(fn, exc, match, id=fn.__name__))
        return fn
    return register


class Env:
    """A small model, its optimizer and trainer, digits data, and a folder with files in it."""

    def __init__(self, folder: Path, data):
        cr.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
        self.opt = optim.Adam(self.model.parameters(), lr=1e-3)
        self.trainer = Trainer(self.model, self.opt, "cross_entropy", metrics=["accuracy"])
        self.train, self.val = data
        self.folder = folder
        io.save({"model": self.model.state_dict(), "step": 3}, folder / "good.safetensors")
        io.write_json(folder / "results.json", {"loss": 1.0})

    def fit(self, train=None, **kwargs):
        kwargs.setdefault("epochs", 1)
        kwargs.setdefault("verbose", False)
        return self.trainer.fit(self.train if train is None else train, **kwargs)

    def corrupt(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path


# ------------------------------------------------------------------ optimizers
@case(ValueError, r"Invalid learning rate: inf \(expected a finite number")
def sgd_infinite_lr(env):
    optim.SGD(env.model.parameters(), lr=float("inf"))


@case(ValueError, "Invalid learning rate: nan")
def sgd_nan_lr(env):
    optim.SGD(env.model.parameters(), lr=float("nan"))


@case(ValueError, "Invalid momentum value: -0.1")
def sgd_negative_momentum(env):
    optim.SGD(env.model.parameters(), lr=0.1, momentum=-0.1)


@case(ValueError, "Invalid momentum value: inf")
def sgd_infinite_momentum(env):
    optim.SGD(env.model.parameters(), lr=0.1, momentum=float("inf"))


@case(ValueError, "Invalid beta parameter at index 1: 1.0")
def adam_beta_one(env):
    optim.Adam(env.model.parameters(), betas=(0.9, 1.0))


@case(ValueError, "Invalid beta parameter at index 0: nan")
def adam_nan_beta(env):
    optim.Adam(env.model.parameters(), betas=(float("nan"), 0.999))


@case(ValueError, "Invalid epsilon value: inf")
def adam_infinite_eps(env):
    optim.Adam(env.model.parameters(), eps=float("inf"))


@case(ValueError, "Invalid weight_decay value: nan")
def adamw_nan_weight_decay(env):
    optim.AdamW(env.model.parameters(), weight_decay=float("nan"))


@case(ValueError, "Invalid alpha value: 1.5")
def rmsprop_alpha_above_one(env):
    optim.RMSprop(env.model.parameters(), alpha=1.5)


@case(ValueError, "Invalid lr_decay value: inf")
def adagrad_infinite_lr_decay(env):
    optim.Adagrad(env.model.parameters(), lr_decay=float("inf"))


@case(ValueError, "Invalid learning rate: inf")
def lbfgs_infinite_lr(env):
    optim.LBFGS(env.model.parameters(), lr=float("inf"))


@case(ValueError, "Invalid learning rate: -inf")
def setting_an_infinite_lr(env):
    env.opt.lr = float("-inf")


@case(ValueError, "got an empty parameter list")
def optimizer_without_parameters(env):
    optim.SGD([], lr=0.1)


# ------------------------------------------------------------------ Trainer
@case(ValueError, "unknown loss 'hinge'")
def unknown_loss(env):
    Trainer(env.model, env.opt, "hinge")


@case(ValueError, "unknown metric 'acc'")
def unknown_metric(env):
    Trainer(env.model, env.opt, "cross_entropy", metrics=["acc"])


@case(ValueError, "clip_grad_norm must be > 0 or None, got 0")
def zero_clip_norm(env):
    Trainer(env.model, env.opt, "cross_entropy", clip_grad_norm=0)


@case(ValueError, "max_nonfinite_losses must be an int >= 1 or None, got 0")
def zero_nonfinite_losses(env):
    Trainer(env.model, env.opt, "cross_entropy", max_nonfinite_losses=0)


@case(ValueError, "epochs must be an int >= 1, got 0")
def zero_epochs(env):
    env.fit(epochs=0)


@case(ValueError, "epochs must be an int >= 1, got 2.5")
def fractional_epochs(env):
    env.fit(epochs=2.5)


@case(TypeError, "expected a dataset, an \\(x, y\\) pair or a DataLoader, got list")
def fit_on_a_list(env):
    env.fit([1, 2, 3])


@case(ValueError, "inputs must be numeric: cannot make a tensor from an array of dtype <U")
def fit_on_strings(env):
    env.fit((env.train.x.astype(str), env.train.y))


@case(ValueError, "dtype object")
def fit_on_objects(env):
    env.fit((env.train.x.astype(object), env.train.y))


@case(TypeError, "y must hold integer labels or real-valued targets, got dtype <U")
def fit_on_string_labels(env):
    env.fit((env.train.x, env.train.y.astype(str)))


@case(ValueError, "NaN")
def fit_on_nan_inputs(env):
    x = env.train.x.copy()
    x[7, 3] = np.nan
    env.fit((x, env.train.y))


@case(ValueError, "got 100 samples in x \\(shape \\(100, 64\\)\\) and 99 in y")
def fit_on_mismatched_lengths(env):
    env.fit((env.train.x[:100], env.train.y[:99]))


@case(ValueError, "cannot be empty: x has shape \\(0, 64\\)")
def fit_on_nothing(env):
    env.fit((env.train.x[:0], env.train.y[:0]))


@case(ValueError, "validation samples have shape \\(3,\\) but training samples have shape "
                  "\\(64,\\)")
def validation_of_the_wrong_width(env):
    env.fit(val=(env.val.x[:, :3], env.val.y))


@case(ValueError, "NaN")
def validation_with_nan(env):
    x = env.val.x.copy()
    x[0, 0] = np.nan
    env.fit(val=(x, env.val.y))


@case(ValueError, "validation data .* does not fit the model or the loss")
def validation_labels_out_of_range(env):
    env.fit(val=(env.val.x, env.val.y + 10))


@case(ValueError, "training data \\(samples of shape \\(10,\\)")
def training_data_narrower_than_the_model(env):
    env.fit((env.train.x[:, :10], env.train.y))


@case(ValueError, "batch_size must be a positive integer, got 0")
def zero_batch_size(env):
    env.fit(batch_size=0)


@case(TypeError, "transform must be callable")
def transform_not_callable(env):
    env.fit(transform="flip")


@case(ValueError, "the transform returned 0 samples for a batch of 2")
def transform_that_empties_the_batch(env):
    env.fit(transform=lambda x, y, rng: (x[:0], y[:0]))


# ------------------------------------------------------------------ predict
@case(ValueError, "inputs must be numeric: cannot make a tensor from an array of dtype <U1 "
                  "and shape \\(2, 64\\), e.g. 'a'")
def predict_on_strings(env):
    predict(env.model, np.full((2, 64), "a"))


@case(ValueError, "dtype object and shape \\(1, 64\\)")
def predict_on_objects(env):
    predict(env.model, np.array([[None] * 64], dtype=object))


@case(ValueError, "ragged rows")
def predict_on_ragged_rows(env):
    predict(env.model, [[1.0] * 64, [1.0] * 3])


@case(ValueError, "batch_size must be a positive int, got 0")
def predict_with_zero_batch(env):
    predict(env.model, env.val.x, batch_size=0)


@case(ValueError, "need a sample axis, got a scalar 3.0")
def predict_proba_on_a_scalar(env):
    predict_proba(env.model, 3.0)


@case(ValueError, "inputs must be numeric")
def trainer_predict_on_strings(env):
    env.trainer.predict(np.array([["x"] * 64]))


# ------------------------------------------------------------------ tensors and models
@case(TypeError, "cannot make a tensor from an array of dtype <U1 and shape \\(3, 64\\), "
                 "e.g. 'a': strings are not numbers")
def model_on_strings(env):
    env.model(np.full((3, 64), "a"))


@case(TypeError, "dtype object and shape \\(2,\\), e.g. \\[1.0, 1.0, 1.0, ")
def model_on_a_ragged_object_array(env):
    rows = np.empty(2, dtype=object)
    rows[:] = [[1.0] * 64, [1.0] * 3]
    env.model(rows)


@case(ValueError, "ragged rows .*The detected shape was \\(2,\\)")
def model_on_ragged_lists(env):
    env.model([[1.0] * 64, [1.0] * 3])


@case(TypeError, "dtype complex128 and shape \\(2, 64\\): complex numbers are not supported")
def model_on_complex_numbers(env):
    env.model(np.ones((2, 64), complex))


@case(TypeError, "dtype <U3 and shape \\(2,\\), e.g. 'one'")
def tensor_of_strings(env):
    cr.tensor(["one", "two"])


@case(TypeError, "dtype \\|S1 and shape \\(1,\\), e.g. b'x'")
def tensor_of_bytes(env):
    cr.Tensor(np.array([b"x"]))


@case(TypeError, "cannot make a tensor from None \\(a NoneType\\)")
def tensor_of_none(env):
    cr.Tensor(None)


@case(TypeError, "cannot make a tensor of dtype complex128")
def tensor_with_a_complex_dtype(env):
    cr.tensor([1.0, 2.0], dtype=complex)


@case(TypeError, "cannot make a tensor from None")
def adding_none_to_a_tensor(env):
    cr.ones(2) + None


@case(ValueError, "inputs must be numeric: .*dtype <U1 and shape \\(4, 64\\)")
def evaluate_on_strings(env):
    env.trainer.evaluate((np.full((4, 64), "a"), env.val.y[:4]))


# ------------------------------------------------------------------ files
@case(io.CheckpointError, "truncated.safetensors: corrupt or truncated")
def load_truncated_checkpoint(env):
    data = (env.folder / "good.safetensors").read_bytes()
    io.load(env.corrupt("truncated.safetensors", data[: len(data) // 2]))


@case(io.CheckpointError, "pickled.safetensors")
def load_a_pickle(env):
    io.load(env.corrupt("pickled.safetensors", pickle.dumps({"model": [1, 2, 3]})))


@case(io.CheckpointError, "tiny.safetensors: truncated or not a safetensors file \\(3 bytes")
def load_three_bytes(env):
    io.load(env.corrupt("tiny.safetensors", b"abc"))


@case(io.CheckpointError, "flipped.safetensors: the header's structure or metadata is "
                          "corrupted \\(checksum mismatch\\)")
def load_a_flipped_header_digit(env):
    data = bytearray((env.folder / "good.safetensors").read_bytes())
    at = data.index(b'\\"value\\": 3')
    data[at + len(b'\\"value\\": ')] = ord("4")
    io.load(env.corrupt("flipped.safetensors", bytes(data)))


@case(FileNotFoundError, "missing.safetensors")
def load_a_missing_file(env):
    io.load(env.folder / "missing.safetensors")


@case(TypeError, "cannot store object at 'a/b'")
def save_an_object_leaf(env):
    io.save({"a": {"b": object()}}, env.folder / "x.safetensors")


@case(TypeError, "key 'a/b' at the top level must be a non-empty string without '/'")
def save_a_key_with_a_slash(env):
    io.save({"a/b": 1}, env.folder / "x.safetensors")


@case(TypeError, "array at 'z' has dtype complex128")
def save_a_complex_array(env):
    io.save({"z": np.zeros(2, complex)}, env.folder / "x.safetensors")


@case(TypeError, "expected a dict, got list")
def save_a_list(env):
    io.save([1, 2], env.folder / "x.safetensors")


@case(FileNotFoundError, "folder '.*nowhere' does not exist")
def write_into_a_missing_folder(env):
    io.write_atomic(env.folder / "nowhere" / "a.txt", "x")


@case(TypeError, "cannot write set as JSON at /metrics/0")
def write_json_with_a_set(env):
    io.write_json(env.folder / "results.json", {"metrics": [{1, 2}]})


# ------------------------------------------------------------------ callbacks, metrics
@case(ValueError, "patience must be >= 0, got -1")
def early_stopping_negative_patience(env):
    cb.EarlyStopping(patience=-1)


@case(ValueError, "monitor='val_zork'")
def early_stopping_unknown_monitor(env):
    cb.EarlyStopping(monitor="val_zork")


@case(ValueError, "every_n_steps must be an int >= 1 or None, got 0")
def checkpoint_every_zero_steps(env):
    cb.Checkpoint(env.folder / "ckpt", every_n_steps=0)


@case(ValueError, "keep_last must be an int >= 1, got 0")
def backup_keeping_nothing(env):
    cb.BackupAndRestore(env.folder / "ckpt", keep_last=0)


@case(ValueError, "factor must be > 1 or None, got 0.5")
def divergence_guard_factor_below_one(env):
    cb.DivergenceGuard(factor=0.5)


@case(ValueError, "interval must be 'step' or 'epoch', got 'batch'")
def scheduler_unknown_interval(env):
    cb.LearningRateScheduler(lambda t: 0.1, interval="batch")


@case(ValueError, "3 targets but 2 predictions")
def accuracy_of_mismatched_lengths(env):
    metrics.accuracy(np.array([0, 1, 2]), np.array([0, 1]))


@case(ValueError, "average must be 'macro', 'micro' or 'binary', got 'weighted'")
def f1_unknown_average(env):
    metrics.precision_recall_f1(np.array([0, 1]), np.array([0, 1]), average="weighted")


@case(ValueError, "label 9 is outside the 3 classes")
def confusion_with_a_label_beyond_the_classes(env):
    metrics.confusion_matrix(np.array([0, 9]), np.zeros((2, 3)), num_classes=3)


@case(ValueError, "top_k_accuracy needs scores of shape \\(N, C\\), got \\(4,\\)")
def top_k_on_labels(env):
    metrics.top_k_accuracy(np.arange(4), np.arange(4))


@pytest.fixture(scope="module")
def digits():
    return train_val_split(load_digits(flatten=True), 0.25, seed=0)


@pytest.mark.parametrize("fn, exc, match", CASES)
def test_bad_input_is_refused_clearly_and_changes_nothing(tmp_path, digits, fn, exc, match):
    env = Env(tmp_path, digits)
    unchanged = Snapshot(env.model, env.opt, tmp_path)
    with pytest.raises(exc, match=match):
        fn(env)
    files_now = {p for p in tmp_path.rglob("*")}
    # the corrupt files a case wrote on purpose are its input, not a change
    for p in files_now - {tmp_path / n for n in ("good.safetensors", "results.json")}:
        if p.suffix == ".safetensors" and p.exists() and p.name != "x.safetensors":
            p.unlink()
    unchanged.check()


def test_the_battery_is_large_enough():
    assert len(CASES) >= 50


# ------------------------------------------------------------------ the CLI
CLI_CASES = [
    ("nan.npy", lambda p: np.save(p, np.full((2, 64), np.nan, np.float32)),
     "non-finite values"),
    ("strings.npy", lambda p: np.save(p, np.full((2, 64), "a")), "dtype <U1"),
    ("objects.npy", lambda p: np.save(p, np.array([[1.0] * 64], dtype=object)), "pickle"),
    ("short.npy", lambda p: np.save(p, np.zeros((2, 3), np.float32)), "\\(2, 3\\)"),
    ("complex.npy", lambda p: np.save(p, np.ones((2, 64), complex)),
     "dtype complex128 and shape \\(2, 64\\)"),
    ("dates.npy", lambda p: np.save(p, np.zeros((2, 64), "datetime64[D]")),
     "dtype datetime64\\[D\\] and shape \\(2, 64\\)"),
]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    from chainrule.runs.train import train_run
    from tests.cli.helpers import SMALL

    root = tmp_path_factory.mktemp("runs")
    config = root / "small.toml"
    config.write_text(SMALL % {"epochs": 1, "every": 1000})
    return train_run(config, runs_root=root, verbose=False).run_dir


def _cli(argv, capsys):
    from chainrule.cli import main

    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("name, write, match", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_predict_on_bad_inputs_is_one_line_and_exit_2(tmp_path, capsys, trained_run,
                                                          name, write, match):
    path = tmp_path / name
    write(path)
    unchanged = Snapshot(None, None, trained_run, tmp_path, rng=False)
    code, lines = _cli(["predict", str(trained_run), str(path)], capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("chainrule predict: ") and name in lines[0], lines[0]
    assert re.search(match, lines[0]), lines[0]
    unchanged.check()


@pytest.mark.parametrize("damage", ["truncated", "pickle"])
def test_cli_predict_with_a_broken_model_file_is_one_line_and_exit_2(tmp_path, capsys,
                                                                     trained_run, damage):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    model = run / "model.safetensors"
    data = model.read_bytes()
    model.write_bytes(data[: len(data) // 3] if damage == "truncated"
                      else pickle.dumps({"weights": np.zeros(3)}))
    np.save(tmp_path / "x.npy", np.zeros((2, 64), np.float32))
    unchanged = Snapshot(None, None, run, rng=False)
    code, lines = _cli(["predict", str(run), str(tmp_path / "x.npy")], capsys)
    assert code == 2 and len(lines) == 1, lines
    assert "model.safetensors" in lines[0]
    unchanged.check()


def test_cli_battery_counts():
    assert len(CLI_CASES) + 2 >= 6


def test_dataset_arrays_are_validated_too():
    with pytest.raises(ValueError, match="x and y must have the same length"):
        ArrayDataset(np.zeros((3, 2)), np.zeros(2))
