import optuna
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import two_moons
from chainrule.search.pruning import TrialPruning
from chainrule.train import Trainer

optuna.logging.set_verbosity(optuna.logging.WARNING)


def fit(lr, callback, epochs=8):
    cr.manual_seed(0)
    data = two_moons(n=128, noise=0.2, generator=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=lr), "cross_entropy",
                      callbacks=[callback])
    history = trainer.fit(data, val=data, epochs=epochs, batch_size=32, seed=0, verbose=False)
    return trainer, history


def test_pruning_stops_a_trial_that_is_clearly_worse():
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=2))
    for _ in range(2):  # two good trials set the median per epoch
        trial = study.ask()
        callback = TrialPruning(trial, "val_loss")
        fit(0.5, callback)
        assert callback.pruned is None
        study.tell(trial, 0.3)
    trial = study.ask()
    callback = TrialPruning(trial, "val_loss")
    trainer, history = fit(1e-5, callback)  # barely moves: worse than the median at once
    assert callback.pruned == 0 and trainer.stop_training
    assert len(history.epoch) == 1
    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    assert study.trials[-1].state == optuna.trial.TrialState.PRUNED
    assert study.trials[-1].intermediate_values.keys() == {0}


def test_the_offset_shifts_reported_steps_and_a_missing_metric_is_an_error():
    study = optuna.create_study()
    trial = study.ask()
    fit(0.5, TrialPruning(trial, "val_loss", offset=10), epochs=2)
    assert sorted(study.trials[0].intermediate_values) == [10, 11]
    with pytest.raises(KeyError, match="val_f1"):
        fit(0.5, TrialPruning(study.ask(), "val_f1"), epochs=1)


def test_without_reporting_the_curve_is_kept_and_nothing_is_stored():
    study = optuna.create_study()
    trial = study.ask()
    callback = TrialPruning(trial, "val_loss", offset=3, report=False)
    _, history = fit(0.5, callback, epochs=2)
    assert callback.curve == dict(zip([3, 4], history.history["val_loss"], strict=True))
    assert study.trials[0].intermediate_values == {}
