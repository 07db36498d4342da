"""Bootstrap intervals: coverage of the true mean, determinism across worker counts."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.explain import bootstrap
from chainrule.explain.bootstrap import resample_indices
from chainrule.sklearn import MLPClassifier, MLPRegressor

LINEAR = dict(hidden_layer_sizes=(4,), activation="identity", epochs=60, learning_rate=0.05,
              batch_size=200, alpha=0.0, tol=0.0)


def test_95_percent_intervals_cover_the_true_mean_of_a_noisy_linear_target():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    truth = lambda x: 1.0 + 2.0 * x[:, 0] - x[:, 1]  # noqa: E731
    y = truth(X) + rng.normal(scale=0.5, size=200)
    X_eval = rng.uniform(-1, 1, size=(60, 2))
    result = bootstrap(MLPRegressor(**LINEAR), X_eval, X=X, y=y, B=40, workers=1, seed=0)
    assert result.predictions.shape == (40, 60) and result.level == 0.95
    covered = np.mean((result.lower <= truth(X_eval)) & (truth(X_eval) <= result.upper))
    assert 0.85 <= covered <= 0.99
    assert np.all(result.lower <= result.mean) and np.all(result.mean <= result.upper)


def test_workers_give_the_same_bits_as_one_process():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    est = MLPClassifier((4,), epochs=3)
    one = bootstrap(est, X[:5], X=X, y=y, B=3, workers=1, seed=7)
    two = bootstrap(est, X[:5], X=X, y=y, B=3, workers=2, seed=7)
    np.testing.assert_array_equal(one.predictions, two.predictions)
    assert np.all((0 <= one.predictions) & (one.predictions <= 1))


def test_stratified_resamples_keep_every_class():
    y = np.array([0] * 95 + [1] * 5)
    rows = resample_indices(y, 100, 50, np.random.default_rng(0), stratified=True)
    assert rows.shape == (50, 100)
    assert all((y[r] == 1).sum() == 5 for r in rows)


def test_bad_arguments():
    est = MLPRegressor()
    with pytest.raises(ValueError, match="B >= 2"):
        bootstrap(est, np.zeros((2, 2)), X=np.zeros((4, 2)), y=np.zeros(4), B=1)
    with pytest.raises(ValueError, match="level"):
        bootstrap(est, np.zeros((2, 2)), X=np.zeros((4, 2)), y=np.zeros(4), level=95)
    with pytest.raises(ValueError, match="training data X and y"):
        bootstrap(est, np.zeros((2, 2)))


class _BlasThreads:
    """Replicates whose 'prediction' is the BLAS thread count the refit ran with."""

    labels, stratified = np.arange(6) % 2, True

    def refit(self, rows, seed, x_eval, target):
        from threadpoolctl import threadpool_info

        threads = max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return np.full(len(x_eval), float(threads))


def test_replicates_refit_with_the_cores_shared_among_the_workers():
    import os

    result = bootstrap(_BlasThreads(), np.zeros((2, 1)), B=2, workers=2)
    assert np.all(result.predictions == max(1, (os.cpu_count() or 1) // 2))


def test_a_run_config_is_bootstrapped_through_its_replicates():
    from chainrule.config import validate
    from chainrule.runs.replicates import ConfigReplicates

    config = validate({"model": {"layers": [{"type": "linear", "out_features": 10}]},
                       "train": {"epochs": 1}})
    x_eval = np.random.default_rng(0).random((3, 64))
    result = bootstrap(config, x_eval, B=2, workers=1)
    assert result.predictions.shape == (2, 3) and np.all(np.isfinite(result.predictions))
    again = bootstrap(ConfigReplicates.of(config), x_eval, B=2, workers=1)
    np.testing.assert_array_equal(result.predictions, again.predictions)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_refits_show_progress_on_a_terminal(monkeypatch, capsys, workers):
    from chainrule.train.callbacks import progress

    monkeypatch.setattr(progress, "interactive", lambda: True)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2))
    bootstrap(MLPClassifier((4,), epochs=2), X[:3], X=X, y=(X[:, 0] > 0).astype(int), B=3,
              workers=workers)
    assert "bootstrap refits" in capsys.readouterr().out
