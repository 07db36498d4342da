"""predict / predict_proba: one path for every way of asking a model for outputs."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.data import ArrayDataset, DataLoader
from chainrule.data.preprocess import Standardize
from chainrule.train import predict, predict_proba


def _model(out=3):
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, out))


def _x(n=10):
    return np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32)


def test_every_data_form_gives_the_same_outputs_in_eval_mode():
    model, x = _model(), _x(10)
    model.train()
    out = predict(model, x, batch_size=3)
    assert model.training  # the flag is restored
    with cr.no_grad():
        model.eval()
        expected = model(cr.tensor(x)).data  # dropout off: deterministic
        model.train()
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    for data in (cr.tensor(x), ArrayDataset(x, np.zeros(10, np.int64)),
                 DataLoader((x, np.zeros(10)), batch_size=4), x.astype(np.float64)):
        np.testing.assert_allclose(predict(model, data), expected, rtol=1e-6)


def test_preprocess_is_applied_before_the_model():
    model, x = _model(), _x(12) * 5 + 3
    scaler = Standardize().fit(x)
    np.testing.assert_allclose(predict(model, x, preprocess=scaler),
                               predict(model, scaler.transform(x)), rtol=1e-6)


def test_predict_proba_softmax_and_single_logit_binary():
    model, x = _model(3), _x(6)
    proba = predict_proba(model, x)
    z = predict(model, x).astype(np.float64)
    e = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(proba, e / e.sum(1, keepdims=True), rtol=1e-12)
    binary = predict_proba(_model(1), x)
    p = 1 / (1 + np.exp(-predict(_model(1), x)[:, 0].astype(np.float64)))
    np.testing.assert_allclose(binary, np.stack([1 - p, p], 1), rtol=1e-12)
    big = predict_proba(_model(1), x * 1e6)  # no overflow warnings, still probabilities
    assert np.isfinite(big).all() and np.allclose(big.sum(1), 1)


@pytest.mark.parametrize("bad, match", [
    (np.array([["a", "b", "c", "d"]]), "dtype <U1 and shape \\(1, 4\\)"),
    (np.array([[1, 2, None, 4]], dtype=object), "dtype object"),
    ([[1.0, 2.0], [3.0]], "ragged"),
    (np.float32(3.0), "sample axis"),
])
def test_non_numeric_inputs_get_a_clear_error(bad, match):
    with pytest.raises(ValueError, match=match):
        predict(_model(), bad)


def test_bad_batch_size_and_empty_inputs():
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        predict(_model(), _x(), batch_size=0)
    with pytest.raises(ValueError, match="no inputs"):
        predict(_model(), np.zeros((0, 4), np.float32))
