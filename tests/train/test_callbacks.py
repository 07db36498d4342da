import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
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
    trainer = Trainer(model, opt, "cross_entropy", callbacks=[cb.LRScheduler(schedule)])
    history = trainer.fit(train, epochs=2, batch_size=64, verbose=False)
    steps = len(history.steps["lr"])
    expected = [0.1 * (1 + np.cos(np.pi * t / 50)) / 2 for t in range(steps)]
    np.testing.assert_allclose(history.steps["lr"], expected, rtol=1e-6, atol=1e-12)


def test_lr_scheduler_per_epoch_and_on_plateau(digits):
    train, val = digits
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, opt, "cross_entropy",
                      callbacks=[cb.LRScheduler(optim.StepLR(step_size=1, gamma=0.5),
                                                interval="epoch")])
    history = trainer.fit(train, epochs=3, batch_size=64, verbose=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])  # the rate each epoch used
    assert opt.lr == pytest.approx(0.0125)  # set for the next epoch

    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.01)
    # improving by less than half counts as no improvement: a plateau from the start
    plateau = optim.ReduceLROnPlateau(opt, factor=0.5, patience=1, threshold=0.5)
    trainer = Trainer(model, opt, "cross_entropy", callbacks=[cb.LRScheduler(plateau)])
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
    assert cb.ProgressBar().enabled is False


def test_tensorboard_writes_event_files_or_explains_what_is_missing(tmp_path, digits):
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        try:
            from torch.utils import tensorboard  # noqa: F401
        except ImportError:
            with pytest.raises(ImportError, match="pip install tensorboardX"):
                cb.TensorBoard(tmp_path)
            return
    train, _ = digits
    model = _model()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), "cross_entropy",
                      callbacks=[cb.TensorBoard(tmp_path)])
    trainer.fit(train, epochs=1, batch_size=128, verbose=False)
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_callback_arguments_are_validated():
    with pytest.raises(ValueError, match="patience must be >= 0"):
        cb.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="cannot tell whether it should be minimised"):
        cb.EarlyStopping(monitor="val_zork")
    with pytest.raises(ValueError, match="every_n_steps must be >= 1"):
        cb.Checkpoint("x", every_n_steps=0)
    with pytest.raises(ValueError, match="factor must be > 1"):
        cb.DivergenceGuard(factor=0.5)
    with pytest.raises(ValueError, match="interval must be 'step' or 'epoch'"):
        cb.LRScheduler(lambda t: 0.1, interval="batch")
