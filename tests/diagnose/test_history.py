import numpy as np
import pytest

from chainrule import optim
from chainrule.diagnose import check_convergence, check_generalisation, check_history
from chainrule.train import History, Trainer
from tests.diagnose import setups


def steps_history(losses):
    h = History()
    for i, loss in enumerate(losses):
        h.record_step({"step": i + 1, "loss": float(loss)})
    return h


def epochs_history(loss, val_loss, acc=None, val_acc=None):
    h = History()
    for i in range(len(loss)):
        logs = {"loss": loss[i], "val_loss": val_loss[i]}
        if acc is not None:
            logs.update(accuracy=acc[i], val_accuracy=val_acc[i])
        h.record_epoch(i, logs)
    return h


def test_falling_noisy_loss_passes():
    rng = np.random.default_rng(0)
    losses = 2.3 * np.exp(-np.arange(300) / 80) + 0.2 * rng.random(300)
    r = check_convergence(steps_history(losses))
    assert r.verdict == "pass" and r.measured["fall"] > 0.5
    # the smoothed curve is a trailing mean of the raw losses
    w = r.detail["window"]
    assert r.detail["smoothed"][-1] == pytest.approx(np.mean(losses[-w:]), rel=1e-12)


def test_flat_loss_fails_and_barely_falling_warns():
    rng = np.random.default_rng(1)
    flat = 2.302 + 0.01 * rng.standard_normal(200)
    r = check_convergence(steps_history(flat))
    assert r.verdict == "fail" and "too low" in r.advice
    slow = np.linspace(2.3, 2.2, 200)
    assert check_convergence(steps_history(slow)).verdict == "warn"


def test_nan_and_exploding_losses_fail():
    r = check_convergence(steps_history([2.3, 2.1, np.nan, np.nan]))
    assert r.verdict == "fail" and "NaN" in r.advice and "too high" in r.advice
    r = check_convergence(steps_history(np.geomspace(2.3, 100, 100)))
    assert r.verdict == "fail" and "exploding" in r.advice


def test_too_few_points_warn():
    assert check_convergence(steps_history([2.3])).verdict == "warn"


def test_overfitting_val_loss_rising_is_caught_with_the_best_epoch():
    loss = np.linspace(2.0, 0.05, 20)
    val = np.concatenate([np.linspace(2.0, 0.6, 8), np.linspace(0.65, 1.6, 12)])
    r = check_generalisation(epochs_history(loss, val))
    assert r.verdict == "fail" and "overfitting" in r.advice
    assert r.measured["best epoch"] == 8 and "best epoch 8" in r.advice


def test_accuracy_gap_warns():
    n = 10
    loss = np.linspace(1.0, 0.3, n)
    val = np.linspace(1.0, 0.5, n)
    r = check_generalisation(epochs_history(loss, val, np.linspace(0.6, 0.99, n),
                                            np.linspace(0.6, 0.8, n)))
    assert r.verdict == "warn" and 0.1 < r.measured["accuracy gap"] < 0.3


def test_no_gap_and_low_accuracy_suggests_capacity():
    n = 10
    loss = np.linspace(2.0, 1.5, n)
    acc = np.linspace(0.3, 0.5, n)
    r = check_generalisation(epochs_history(loss, loss + 0.01, acc, acc))
    assert r.verdict == "pass" and "capacity" in r.advice


def test_without_validation_only_the_curve_is_checked():
    assert check_generalisation(steps_history([1.0, 0.5])) is None
    assert [r.name for r in check_history(steps_history([2.0, 1.0, 0.5]))] == ["loss curve"]


def test_real_training_history_and_its_state_dict():
    # 400 digits memorised by a 32-unit MLP: training accuracy reaches 1, validation ~0.8
    x, y = setups.digits()
    model = setups.mlp()
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-2), "cross_entropy",
                      metrics=["accuracy"])
    history = trainer.fit((x[:400], y[:400]), val=(x[400:], y[400:]), epochs=8, batch_size=32,
                          seed=0, verbose=False)
    results = {r.name: r for r in check_history(history)}
    assert results["loss curve"].verdict == "pass"
    gap = results["train/val gap"]
    train_acc, val_acc = history["accuracy"][-1], history["val_accuracy"][-1]
    assert (gap.verdict == "pass") == (train_acc - val_acc < 0.1)
    if gap.verdict != "pass":
        assert "overfitting" in gap.advice
    again = {r.name: r.verdict for r in check_history(history.state_dict())}
    assert again == {name: r.verdict for name, r in results.items()}
