import numpy as np
import pytest

import chainrule as cr
from chainrule import io, nn, optim
from chainrule.data import load_digits, train_val_split
from chainrule.train import Trainer
from chainrule.train import callbacks as cb


@pytest.fixture(scope="module")
def digits():
    return train_val_split(load_digits(flatten=True), 0.25, seed=0)


def _model():
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))


def test_lr_scheduler_per_step_follows_the_schedule(digits):
    train, _ = digits
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    schedule = optim.CosineAnnealingLR(T_max=50)
    trainer = Trainer(model, opt, "cross_entropy", callbacks=[cb.LearningRateScheduler(schedule)])
    history = trainer.fit(train, epochs=2, batch_size=64, verbose=False)
    steps = len(history.steps["lr"])
    expected = [0.1 * (1 + np.cos(np.pi * t / 50)) / 2 for t in range(steps)]
    np.testing.assert_allclose(history.steps["lr"], expected, rtol=1e-6, atol=1e-12)


def test_lr_scheduler_per_epoch_and_on_plateau(digits):
    train, val = digits
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, opt, "cross_entropy",
                      callbacks=[cb.LearningRateScheduler(optim.StepLR(step_size=1, gamma=0.5),
                                                interval="epoch")])
    history = trainer.fit(train, epochs=3, batch_size=64, verbose=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])  # the rate each epoch used
    assert opt.lr == pytest.approx(0.0125)  # set for the next epoch

    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.01)
    # improving by less than half counts as no improvement: a plateau from the start
    plateau = optim.ReduceLROnPlateau(opt, factor=0.5, patience=1, threshold=0.5)
    trainer = Trainer(model, opt, "cross_entropy", callbacks=[cb.LearningRateScheduler(plateau)])
    history = trainer.fit(train, val=val, epochs=5, batch_size=256, verbose=False)
    # best at epoch 0; epochs 1 and 2 are bad, so the rate halves after epoch 2, and again
    # after epoch 4 (patience counts anew after a reduction)
    assert history["lr"] == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005])
    assert opt.lr == pytest.approx(0.0025)


def test_progress_bar_shows_epochs_when_enabled(digits, capsys):
    train, _ = digits
    model = _model()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                      callbacks=[cb.ProgressBar(enabled=True)])
    trainer.fit(train, epochs=2, batch_size=128)
    out = capsys.readouterr().out
    assert "epoch 2/2" in out and "loss" in out


def test_progress_bar_is_quiet_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "1")
    bar = cb.ProgressBar()
    assert bar.enabled is False and bar.lines is False


def test_off_a_terminal_the_bar_prints_one_line_per_epoch(digits, capsys, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    train, _ = digits
    model = _model()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy")
    trainer.fit(train, epochs=2, batch_size=128)  # verbose=None: auto; pytest's stdout is a pipe
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert all("loss" in line for line in lines)
    trainer.fit(train, epochs=1, batch_size=128, verbose=False)
    assert capsys.readouterr().out == ""


def _read_events(log_dir):
    """Every Event record of the event files in ``log_dir`` (TFRecord framing: length,
    length CRC, payload, payload CRC), as TensorBoard reads them."""
    import struct

    from tensorboardX.proto import event_pb2

    events = []
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        at = 0
        while at < len(data):
            (n,) = struct.unpack("<Q", data[at:at + 8])
            event = event_pb2.Event()
            event.ParseFromString(data[at + 12:at + 12 + n])
            events.append(event)
            at += 12 + n + 4
    return events


def test_tensorboard_writes_scalars_and_histograms_tensorboard_reads(tmp_path, digits):
    pytest.importorskip("tensorboardX", reason="the [tensorboard] extra is not installed")
    train, val = digits
    model = _model()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                      metrics=["accuracy"], callbacks=[cb.TensorBoard(tmp_path, log_every_steps=5)])
    history = trainer.fit(train, val=val, epochs=2, batch_size=128, verbose=False)
    scalars, histograms = {}, {}
    for event in _read_events(tmp_path):
        for value in event.summary.value:
            if value.HasField("histo"):
                histograms.setdefault(value.tag, []).append((event.step, value.histo))
            else:
                scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert [s for s, _ in scalars["epoch/val_accuracy"]] == [0, 1]
    np.testing.assert_allclose([v for _, v in scalars["epoch/loss"]], history["loss"], rtol=1e-6)
    assert [s for s, _ in scalars["step/loss"]] == [5, 10, 15, 20]  # 11 steps per epoch
    weights = dict(model.named_parameters())
    for name, p in weights.items():
        steps, histo = zip(*histograms[f"weights/{name}"], strict=True)
        assert steps == (0, 1) and histo[-1].num == p.data.size
        assert histo[-1].min == pytest.approx(p.data.min()) and \
            histo[-1].max == pytest.approx(p.data.max())
        assert f"gradients/{name}" in histograms


def test_tensorboard_without_tensorboardx_says_what_to_install(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tensorboard(name, *args, **kwargs):
        if name.startswith(("tensorboardX", "torch.utils.tensorboard")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(ImportError, match="pip install 'chainrule\\[tensorboard\\]'"):
        cb.TensorBoard(tmp_path)


def test_callback_arguments_are_validated():
    with pytest.raises(ValueError, match="patience must be >= 0"):
        cb.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="cannot tell whether it should be minimised"):
        cb.EarlyStopping(monitor="val_zork")
    with pytest.raises(ValueError, match="every_n_steps must be an int >= 1 or None, got 0"):
        cb.Checkpoint("x", every_n_steps=0)
    with pytest.raises(ValueError, match="factor must be > 1 or None, got 0.5"):
        cb.DivergenceGuard(factor=0.5)
    with pytest.raises(ValueError, match="interval must be 'step' or 'epoch'"):
        cb.LearningRateScheduler(lambda t: 0.1, interval="batch")


class _Counter(cb.Callback):
    """Counts training steps; the count must survive a resume."""

    def __init__(self):
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1

    def state_dict(self):
        return {"steps": self.steps}

    def load_state_dict(self, state):
        self.steps = state["steps"]


class _Inserted(cb.Callback):
    def state_dict(self):
        return {"inserted": 1}


def test_a_callback_inserted_in_front_leaves_every_callbacks_state_restored(tmp_path, digits):
    train, val = digits  # 1348 samples in batches of 200: 7 steps per epoch

    def fit(callbacks, epochs, resume):
        model = _model()
        trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                          callbacks=callbacks)
        trainer.fit(train, val=val, epochs=epochs, batch_size=200, run_dir=tmp_path,
                    resume=resume, verbose=False)
        return trainer

    first, early = _Counter(), cb.EarlyStopping(patience=50)
    fit([first, early], epochs=2, resume=False)
    assert first.steps == 14
    counter, early_again, second = _Counter(), cb.EarlyStopping(patience=50), _Counter()
    fit([_Inserted(), counter, second, early_again], epochs=3, resume=True)
    assert counter.steps == 21  # 14 restored + 7; positional keys lost them
    assert second.steps == 7  # a second _Counter is a new callback: nothing to restore
    assert early_again.best_epoch is not None
    newest = sorted((tmp_path / "checkpoints").glob("ckpt-*.safetensors"))[-1]
    assert list(io.load(newest)["callbacks"])[:4] == [
        "_Inserted", "_Counter", "_Counter_2", "EarlyStopping"]


def test_callback_state_from_checkpoints_keyed_by_position_still_loads():
    a, b, other = _Counter(), _Counter(), cb.EarlyStopping()
    callbacks = cb.CallbackList([a, other, b], Trainer(_model(), None, "cross_entropy"))
    assert callbacks.keys() == ["_Counter", "EarlyStopping", "_Counter_2"]
    callbacks.load_state_dict({"0__Counter": {"steps": 4}, "2__Counter": {"steps": 9}})
    assert (a.steps, b.steps) == (4, 9)
    callbacks.load_state_dict({"_Counter": {"steps": 5}, "_Counter_2": {"steps": 6}})
    assert (a.steps, b.steps) == (5, 6)


def test_track_passes_items_through_and_draws_only_on_a_terminal(monkeypatch, capsys):
    from chainrule.train.callbacks import progress

    monkeypatch.setattr(progress, "interactive", lambda: False)
    assert list(progress.track(iter([1, 2, 3]), 3, "refits")) == [1, 2, 3]
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(progress, "interactive", lambda: True)
    assert list(progress.track(iter([1, 2, 3]), 3, "refits")) == [1, 2, 3]
    out = capsys.readouterr().out
    assert "refits" in out and "100%" in out
