"""fit validates every input before the first step: nothing changes on a bad one."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import load_digits, train_val_split
from chainrule.train import Trainer
from tests.unchanged import Snapshot


@pytest.fixture(scope="module")
def digits():
    return train_val_split(load_digits(flatten=True), 0.25, seed=0)


def _trainer():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    return model, Trainer(model, optim.Adam(model.parameters()), "cross_entropy",
                          metrics=["accuracy"])


def _bad_val(train, val):
    x_nan = val.x.copy()
    x_nan[3, 5] = np.nan
    return [
        ((val.x[:, :3], val.y), "validation samples have shape \\(3,\\) but training samples "
                                "have shape \\(64,\\)"),
        ((x_nan, val.y), "NaN"),
        ((val.x, val.y.astype(np.float32) + 0.5), "validation targets are float32 but "
                                                  "training targets are int64"),
        ((val.x, val.y + 10), "validation data .* does not fit the model or the loss"),
        ((val.x.astype(str), val.y), "dtype <U"),
    ]


@pytest.mark.parametrize("case", range(5))
def test_bad_validation_data_fails_before_any_step(tmp_path, digits, case):
    train, val = digits
    bad, match = _bad_val(train, val)[case]
    model, trainer = _trainer()
    unchanged = Snapshot(model, trainer.optimizer, tmp_path)
    with pytest.raises(ValueError, match=match):
        trainer.fit(train, val=bad, epochs=1, run_dir=tmp_path / "run", verbose=False)
    unchanged.check()
    assert not (tmp_path / "run").exists()


def test_string_and_object_arrays_into_fit_get_a_clear_error(digits):
    train, _ = digits
    _, trainer = _trainer()
    with pytest.raises(ValueError, match="inputs must be numeric: cannot make a tensor from an "
                                         "array of dtype <U"):
        trainer.fit((train.x.astype(str), train.y), epochs=1, verbose=False)
    objects = np.empty(len(train), dtype=object)
    objects[:] = [row for row in train.x]
    with pytest.raises(ValueError, match="dtype object"):
        trainer.fit((objects, train.y), epochs=1, verbose=False)
    with pytest.raises(TypeError, match="y must hold integer labels or real-valued targets, "
                                        "got dtype <U"):
        trainer.fit((train.x, train.y.astype(str)), epochs=1, verbose=False)


def test_training_data_that_does_not_fit_the_model_fails_before_any_step(digits):
    train, _ = digits
    model, trainer = _trainer()
    before = model.state_dict()
    with pytest.raises(ValueError, match="the training data \\(samples of shape \\(10,\\)"):
        trainer.fit((train.x[:, :10], train.y), epochs=1, verbose=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
