import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import ArrayDataset, spirals
from chainrule.ensemble import AveragedWeights, Ensemble, Snapshots
from chainrule.train import Trainer


class Fixed(nn.Module):
    """A 'model' that outputs given logits for inputs 0..N-1 (its input is the index)."""

    def __init__(self, logits):
        super().__init__()
        self.logits = np.asarray(logits, dtype=np.float32)

    def forward(self, x):
        return cr.tensor(self.logits[x.data[:, 0].astype(int)])


def members_wrong_on_different_thirds():
    y = np.array([0, 1, 2] * 4)
    x = np.arange(len(y), dtype=np.float32)[:, None]
    models = []
    for m in range(3):
        logits = np.eye(3)[y] * 2.0
        wrong = np.arange(len(y)) % 3 == m
        logits[wrong] = np.eye(3)[(y[wrong] + 1) % 3] * 2.0
        models.append(Fixed(logits))
    return models, ArrayDataset(x, y)


def test_mean_and_vote_fix_what_each_member_gets_wrong():
    models, data = members_wrong_on_different_thirds()
    for method in ("mean", "vote"):
        report = Ensemble(models, method=method).compare(data, chosen=1)
        assert report["members"] == pytest.approx([2 / 3] * 3)
        assert report["ensemble"] == 1.0 and report["gain_over_best"] == pytest.approx(1 / 3)
        assert report["chosen_member"] == pytest.approx(2 / 3)
        assert report["gain_over_chosen"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="chosen = 3"):
        Ensemble(models).compare(data, chosen=3)


def test_predict_proba_is_the_members_mean_probability():
    models, data = members_wrong_on_different_thirds()
    ens = Ensemble(models)
    softmax = [np.exp(m.logits) / np.exp(m.logits).sum(axis=1, keepdims=True) for m in models]
    expected = np.mean(softmax, axis=0)
    np.testing.assert_allclose(ens.predict_proba(data.x), expected, rtol=1e-6)
    assert ens.predict(data.x).tolist() == data.y.tolist()
    scores = ens.evaluate(data)
    assert scores["accuracy"] == 1.0
    assert scores["loss"] == pytest.approx(-np.mean(np.log(expected[np.arange(12), data.y])))


def test_one_logit_gives_two_columns_and_regression_averages_outputs():
    one_logit = Ensemble([Fixed([[0.0], [np.log(3.0)]])])
    np.testing.assert_allclose(one_logit.predict_proba(np.arange(2.0)[:, None]),
                               [[0.5, 0.5], [0.25, 0.75]], rtol=1e-6)
    a, b = Fixed([[1.0], [3.0]]), Fixed([[3.0], [5.0]])
    x = np.arange(2, dtype=np.float32)[:, None]
    ens = Ensemble([a, b], regression=True)
    np.testing.assert_allclose(ens.predict(x), [[2.0], [4.0]])
    assert ens.evaluate(x, np.array([2.0, 4.0], dtype=np.float32)) == {"mse": 0.0}
    with pytest.raises(ValueError, match="regression"):
        ens.predict_proba(x)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        Ensemble([])
    with pytest.raises(ValueError, match="method"):
        Ensemble([Fixed([[1.0]])], method="median")
    with pytest.raises(ValueError, match="2 preprocessing"):
        Ensemble([Fixed([[1.0]])], preprocess=[None, None])


def train_mlp(seed, data, epochs=30, callbacks=()):
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=0.02), "cross_entropy",
                      callbacks=list(callbacks))
    trainer.fit(data, epochs=epochs, batch_size=32, seed=seed, verbose=False)
    return model


def test_an_ensemble_of_diverse_models_beats_its_mean_member():
    train = spirals(n=300, classes=3, noise=0.3, generator=0)
    test = spirals(n=300, classes=3, noise=0.3, generator=1)
    report = Ensemble([train_mlp(s, train) for s in range(5)]).compare(test)
    assert report["ensemble"] > report["mean_member"]


def test_snapshots_keep_one_copy_per_cycle_and_averaging_swaps_the_average_in():
    data = spirals(n=96, classes=3, noise=0.3, generator=0)  # 3 steps per epoch
    snaps = Snapshots(every_steps=6)
    model = train_mlp(0, data, epochs=6, callbacks=[snaps])
    assert len(snaps.states) == 3
    assert not np.array_equal(snaps.states[0]["0.weight"], snaps.states[1]["0.weight"])
    np.testing.assert_array_equal(snaps.states[-1]["0.weight"], model.state_dict()["0.weight"])
    ema = AveragedWeights("ema", decay=0.5)
    averaged = train_mlp(0, data, epochs=2, callbacks=[ema])
    plain = train_mlp(0, data, epochs=2)
    assert not np.allclose(averaged.state_dict()["0.weight"], plain.state_dict()["0.weight"])
    np.testing.assert_array_equal(averaged.state_dict()["0.weight"], ema.averager.average[0])
