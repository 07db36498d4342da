"""Synthetic datasets: geometry at zero noise, balance, seeding, errors."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import data

MAKERS = [data.xor, data.two_moons, data.circles, data.spirals, data.function_regression]


@pytest.mark.parametrize("make", MAKERS)
def test_seeded_dtypes_and_sizes(make):
    a, b, c = make(n=120, generator=3), make(n=120, generator=3), make(n=120, generator=4)
    assert len(a) == 120 and a.x.dtype == np.float32
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    cr.manual_seed(11)
    d = make(n=120)
    cr.manual_seed(11)
    np.testing.assert_array_equal(d.x, make(n=120).x)


def test_xor_labels_at_zero_noise():
    ds = data.xor(n=100, noise=0.0, generator=0)
    assert set(map(tuple, ds.x.tolist())) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    np.testing.assert_array_equal(ds.y, ds.x[:, 0] != ds.x[:, 1])
    assert np.bincount(ds.y).tolist() == [50, 50]


def test_two_moons_and_circles_geometry():
    moons = data.two_moons(n=201, noise=0.0, generator=0)
    upper, lower = moons.x[moons.y == 0], moons.x[moons.y == 1]
    assert len(upper) == 101 and len(lower) == 100
    np.testing.assert_allclose(np.hypot(*upper.T), 1, atol=1e-6)
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-6)
    assert (lower[:, 1] <= 0.5).all()
    rings = data.circles(n=100, noise=0.0, factor=0.3, generator=0)
    radius = np.hypot(*rings.x.T)
    np.testing.assert_allclose(radius[rings.y == 0], 1, atol=1e-6)
    np.testing.assert_allclose(radius[rings.y == 1], 0.3, atol=1e-6)


def test_spirals_arms():
    ds = data.spirals(n=301, classes=3, noise=0.0, generator=0)
    assert np.bincount(ds.y).tolist() == [101, 100, 100] and ds.num_classes == 3
    r = np.hypot(*ds.x.T)
    assert r.min() == 0 and np.isclose(r.max(), 1)
    # at zero noise the angle is 4 (k + r): check sin/cos of it (x = r (sin t, cos t))
    t = 4 * (ds.y + r)
    np.testing.assert_allclose(ds.x, r[:, None] * np.stack([np.sin(t), np.cos(t)], 1), atol=1e-5)


def test_function_regression():
    ds = data.function_regression(np.cos, n=50, low=-1, high=2, noise=0.0, generator=0)
    assert ds.x.shape == ds.y.shape == (50, 1) and ds.y.dtype == np.float32
    assert (np.diff(ds.x[:, 0]) >= 0).all() and ds.x.min() >= -1 and ds.x.max() <= 2
    np.testing.assert_allclose(ds.y, np.cos(ds.x), atol=1e-6)
    noisy = data.function_regression(n=5000, noise=0.2, generator=0)
    assert abs((noisy.y - np.sin(noisy.x)).std() - 0.2) < 0.01


def test_random_labels():
    base = data.ArrayDataset(np.zeros((3000, 2), np.float32), np.arange(3000) % 4, name="b",
                        classes=list("abcd"))
    shuffled = data.random_labels(base, generator=0)
    assert shuffled.x is base.x and shuffled.classes == base.classes
    counts = np.bincount(shuffled.y, minlength=4)
    assert len(counts) == 4 and counts.min() > 650
    assert (shuffled.y == base.y).mean() < 0.35
    wider = data.random_labels(base, num_classes=7, generator=0)
    assert wider.y.max() == 6 and wider.classes is None and wider.name == "b-random-labels"
    np.testing.assert_array_equal(data.random_labels(base, generator=5).y,
                                  data.random_labels(base, generator=5).y)


def test_errors():
    with pytest.raises(ValueError, match="n must be an integer"):
        data.xor(n=0)
    with pytest.raises(ValueError, match="noise"):
        data.two_moons(noise=-1)
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=1.5)
    with pytest.raises(ValueError, match="classes"):
        data.spirals(classes=1)
    with pytest.raises(ValueError, match="low < high"):
        data.function_regression(low=1, high=0)
    with pytest.raises(ValueError, match="same shape"):
        data.function_regression(fn=lambda x: x.sum())
    with pytest.raises(ValueError, match="num_classes"):
        data.random_labels(data.ArrayDataset(np.zeros((2, 1)), [0.5, 1.5]))
