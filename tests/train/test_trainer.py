import json
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import ArrayDataset, DataLoader, load_digits, train_val_split
from chainrule.train import Trainer
from chainrule.train import callbacks as cb


@pytest.fixture(scope="module")
def digits():
    train, val = train_val_split(load_digits(flatten=True), 0.25, seed=0)
    return train, val


def mlp(width=32, seed=0):
    cr.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))


def test_trainer_reaches_known_good_accuracy_on_digits(digits):
    train, val = digits
    model = mlp(64)
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=3e-3), "cross_entropy",
                      metrics=["accuracy", "f1"])
    history = trainer.fit(train, val=val, epochs=15, batch_size=32, seed=0, verbose=False)
    assert history["val_accuracy"][-1] > 0.95
    assert history["loss"][-1] < history["loss"][0] / 5
    assert len(history.steps["loss"]) == 15 * math.ceil(len(train) / 32)
    assert set(history.history) >= {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "lr",
                                    "time"}
    scores = trainer.evaluate(val)
    assert scores["accuracy"] == pytest.approx(history["val_accuracy"][-1])
    pred = trainer.predict(val.x)
    assert pred.shape == (len(val), 10)
    assert np.mean(pred.argmax(1) == val.y) == pytest.approx(scores["accuracy"])


@pytest.mark.parametrize("batch_size", [None, 1])
def test_full_batch_and_online_sgd(digits, batch_size):
    train, _ = digits
    small = ArrayDataset(train.x[:120], train.y[:120])
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.05 if batch_size else 0.5),
                      "cross_entropy")
    history = trainer.fit(small, epochs=3 if batch_size else 30, batch_size=batch_size,
                          verbose=False)
    steps_per_epoch = 1 if batch_size is None else 120
    assert len(history.steps["loss"]) == steps_per_epoch * len(history.epoch)
    assert history["loss"][-1] < history["loss"][0]


class _Snapshots(cb.Callback):
    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.trainer.model.state_dict())


def test_early_stopping_restores_best_epoch_weights_exactly(digits):
    train, val = digits
    model = mlp(16)
    snaps = _Snapshots()
    # A learning rate high enough to make val_loss bounce, so patience runs out.
    stopper = cb.EarlyStopping(monitor="val_loss", patience=2, restore_best=True)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.8, momentum=0.9),
                      "cross_entropy", callbacks=[snaps, stopper])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = trainer.fit(train, val=val, epochs=40, batch_size=64, seed=1, verbose=False)
    val_loss = np.array(history["val_loss"])
    best = int(np.nanargmin(val_loss))
    assert len(history.epoch) < 40, "patience should have stopped training early"
    assert stopper.best_epoch == best
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, snaps.weights[best][name])


def test_divergence_guard_fires_on_absurd_learning_rate(digits):
    train, _ = digits
    model = mlp()
    guard = cb.DivergenceGuard()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=1e3), "cross_entropy",
                      callbacks=[guard])
    with pytest.warns(UserWarning, match="DivergenceGuard stopped training at step"):
        history = trainer.fit(train, epochs=5, batch_size=32, verbose=False)
    assert guard.fired is not None
    assert guard.fired["rule"] in ("loss is not finite",) or "exceeds 3x" in guard.fired["rule"]
    assert len(history.epoch) == 1
    for value in model.state_dict().values():
        assert np.isfinite(value).all()


def test_run_dir_logs_and_checkpoints(tmp_path, digits):
    train, val = digits
    model = mlp()
    trainer = Trainer(model, optim.Adam(model.parameters()), "cross_entropy",
                      metrics=["accuracy"], callbacks=[cb.Checkpoint(
                          tmp_path / "ckpt", every_n_steps=10, keep_last=2, monitor="val_loss")])
    trainer.fit(train, val=val, epochs=2, batch_size=64, run_dir=tmp_path, verbose=False)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [0, 1]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(epochs[0])
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0].split(",")
    assert "val_accuracy" in header
    kept = sorted(p.name for p in (tmp_path / "ckpt").glob("ckpt-*.safetensors"))
    assert len(kept) == 2
    assert (tmp_path / "ckpt" / "best.safetensors").exists()


def _fit_with_checkpoints(directory, epochs, resume, every=7, epoch_ends=True):
    model = mlp(16, seed=3)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    train, val = train_val_split(load_digits(flatten=True), 0.25, seed=0)
    trainer = Trainer(model, opt, "cross_entropy", metrics=["accuracy"],
                      callbacks=[cb.Checkpoint(directory, every_n_steps=every, keep_last=5,
                                               every_n_epochs=1 if epoch_ends else None)])
    loader = DataLoader(train, batch_size=50, shuffle=True, seed=5)
    history = trainer.fit(loader, val=val, epochs=epochs, resume=resume, verbose=False)
    return model, history


def test_resume_from_mid_epoch_checkpoint_is_bit_identical(tmp_path):
    full, full_history = _fit_with_checkpoints(tmp_path / "a", epochs=3, resume=False)
    _fit_with_checkpoints(tmp_path / "b", epochs=1, resume=False)
    # Drop the epoch-end checkpoint so that the run resumes in the middle of epoch 0.
    sorted((tmp_path / "b").glob("ckpt-*"))[-1].unlink()
    resumed, history = _fit_with_checkpoints(tmp_path / "b", epochs=3, resume=True)
    for name, value in full.state_dict().items():
        np.testing.assert_array_equal(value, resumed.state_dict()[name])
    assert history["val_loss"] == full_history["val_loss"]
    assert history.steps["loss"] == full_history.steps["loss"]


def test_truncated_newest_checkpoint_falls_back_with_warning(tmp_path):
    _fit_with_checkpoints(tmp_path, epochs=1, resume=False)
    paths = sorted(tmp_path.glob("ckpt-*.safetensors"))
    assert len(paths) >= 2
    data = paths[-1].read_bytes()
    paths[-1].write_bytes(data[: len(data) // 2])
    with pytest.warns(UserWarning, match="unreadable.*falling back"):
        model, history = _fit_with_checkpoints(tmp_path, epochs=2, resume=True)
    full, _ = _fit_with_checkpoints(tmp_path / "ref", epochs=2, resume=False)
    for name, value in full.state_dict().items():
        np.testing.assert_array_equal(value, model.state_dict()[name])


def test_fit_rejects_bad_arguments(digits):
    train, _ = digits
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy")
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        trainer.fit(train, epochs=0)
    with pytest.raises(TypeError, match="expected a dataset"):
        trainer.fit([1, 2, 3])
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        Trainer(model, None, "hinge")


def test_resume_from_checkpoint_at_an_epochs_last_step(tmp_path):
    # 1348 training samples in batches of 50: 27 steps per epoch. A step checkpoint on the
    # last step of epoch 0 (and none at its end) resumes with only the epoch's end to run.
    full, full_history = _fit_with_checkpoints(tmp_path / "a", epochs=2, resume=False)
    _fit_with_checkpoints(tmp_path / "b", epochs=1, resume=False, every=27, epoch_ends=False)
    assert [p.name for p in (tmp_path / "b").glob("ckpt-*")] == ["ckpt-000000027.safetensors"]
    resumed, history = _fit_with_checkpoints(tmp_path / "b", epochs=2, resume=True)
    for name, value in full.state_dict().items():
        np.testing.assert_array_equal(value, resumed.state_dict()[name])
    assert history["val_loss"] == full_history["val_loss"]
    assert len(history.steps["loss"]) == 54


# ------------------------------------------------------------------ seams (issue 16/18)
def test_reduce_sums_combines_the_epoch_sums_before_the_logs(digits):
    train, val = digits
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                      metrics=["accuracy"])
    seen = []

    def as_if_two_ranks(vec):  # a second rank that saw the same data: sums double
        seen.append(vec.copy())
        return vec * 2

    trainer.reduce_sums = as_if_two_ranks
    history = trainer.fit(train, val=val, epochs=1, batch_size=64, seed=0, verbose=False)
    other = mlp()
    plain = Trainer(other, optim.SGD(other.parameters(), lr=0.1), "cross_entropy",
                    metrics=["accuracy"])
    reference = plain.fit(train, val=val, epochs=1, batch_size=64, seed=0, verbose=False)
    assert len(seen) == 2 and all(v.dtype == np.float64 for v in seen)  # train + val
    assert seen[0][1] == len(train) and seen[1][1] == len(val)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert history[key] == pytest.approx(reference[key], rel=1e-12)


class _GradSpy(cb.Callback):
    def __init__(self):
        self.calls = []

    def on_after_backward(self, batch, logs=None):
        p = next(iter(self.trainer.model.parameters()))
        self.calls.append((batch, p.grad.copy(), p.data.copy(), dict(logs)))


def test_on_after_backward_sees_the_gradients_before_the_step(digits):
    train, _ = digits
    model = mlp()
    spy = _GradSpy()
    first = next(iter(model.parameters()))
    start = first.data.copy()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                      callbacks=[spy])
    trainer.fit(ArrayDataset(train.x[:64], train.y[:64]), epochs=1, batch_size=32,
                shuffle=False, verbose=False)
    assert [c[0] for c in spy.calls] == [0, 1]
    batch, grad, data, logs = spy.calls[0]
    np.testing.assert_array_equal(data, start)  # not yet stepped
    assert np.abs(grad).sum() > 0 and set(logs) == {"loss"}
    np.testing.assert_array_equal(spy.calls[1][2], start - np.float32(0.1) * grad)


def test_mixup_trains_with_every_classification_metric(digits):
    from chainrule.data.augment import Mixup

    train, val = digits
    model = mlp()
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=3e-3), "cross_entropy",
                      metrics=["accuracy", "top5_accuracy", "f1", "precision", "recall",
                               "log_loss"])
    history = trainer.fit(train, val=val, epochs=2, batch_size=64, seed=0, verbose=False,
                          transform=Mixup(0.2, num_classes=10))
    for key in ("accuracy", "f1", "val_accuracy", "top5_accuracy", "log_loss"):
        assert all(np.isfinite(history[key])), key
    assert history["val_accuracy"][-1] > 0.5  # it learns (10 classes: chance is 0.1)


def _nan_from_step(n):
    steps = []

    def loss(out, y):  # counts training steps (fit's input check runs it without a graph)
        steps.extend([1] if out.requires_grad else [])
        value = F.cross_entropy(out, y)
        return value * float("nan") if len(steps) > n else value

    return loss


def test_nan_loss_warns_and_stops_by_default_with_the_last_good_weights(digits):
    train, _ = digits
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), _nan_from_step(3))
    with pytest.warns(UserWarning, match="DivergenceGuard stopped training at step 4: loss "
                                         "is not finite"):
        history = trainer.fit(train, epochs=5, batch_size=32, verbose=False)
    assert len(history.epoch) == 1 and len(history.steps["loss"]) == 4
    assert all(np.isfinite(v).all() for v in model.state_dict().values())
    # a configurable count: warn at the first, stop at the third
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), _nan_from_step(3),
                      max_nonfinite_losses=3)
    with pytest.warns(UserWarning) as caught:
        history = trainer.fit(train, epochs=1, batch_size=32, verbose=False)
    messages = [str(w.message) for w in caught]
    assert "the loss is nan at step 4; training stops after 3 such steps" in messages[0]
    assert "at step 6: loss is not finite (3 steps)" in messages[1]
    # opting out: training goes on through the NaN steps
    model = mlp()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), _nan_from_step(3),
                      max_nonfinite_losses=None)
    history = trainer.fit(train, epochs=1, batch_size=32, verbose=False)
    assert np.isnan(history.steps["loss"][-1])
    with pytest.raises(ValueError, match="max_nonfinite_losses must be an int >= 1 or None"):
        Trainer(model, None, "mse", max_nonfinite_losses=0)


def test_a_transform_that_empties_a_batch_is_refused_before_the_step(digits):
    train, _ = digits
    model = mlp()
    before = model.state_dict()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy")

    def drop_full_batches(x, y, rng):  # passes fit's check on 2 samples, empties batch 0
        return (x[:0], y[:0]) if len(x) == 32 else (x, y)

    with pytest.raises(ValueError, match="batch 0 of epoch 0 is empty"):
        trainer.fit(train, epochs=1, batch_size=32, verbose=False,
                    transform=drop_full_batches)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
