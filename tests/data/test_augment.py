"""Augmentations: shapes and dtypes kept, exact flips/crops/shifts, rotation, mixup, seeding."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule.data import ArrayDataset, DataLoader
from chainrule.data.augment import (
    Compose,
    GaussianNoise,
    LabelNoise,
    Mixup,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslate,
    rotate,
)


def images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


LABELS = np.arange(12) % 5
AUGMENTATIONS = [
    RandomFlip(), RandomFlip(horizontal=False, vertical=True, p=0.3), RandomCrop(9, padding=2),
    RandomTranslate(3), RandomRotation(30), GaussianNoise(0.1), Mixup(0.4, num_classes=5),
    LabelNoise(0.5, 5), Compose([RandomTranslate(1), RandomRotation(10), GaussianNoise(0.01)]),
]


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=repr)
@pytest.mark.parametrize("shape", [(12, 9, 9), (12, 3, 9, 9)])
def test_shapes_dtypes_determinism_and_no_side_effects(aug, shape):
    x = images(shape)
    original = x.copy()
    out_x, out_y = aug(x, LABELS, np.random.default_rng(1))
    assert out_x.shape == shape and out_x.dtype == np.float32
    assert len(out_y) == 12
    np.testing.assert_array_equal(x, original)
    again_x, again_y = aug(x, LABELS, np.random.default_rng(1))
    np.testing.assert_array_equal(out_x, again_x)
    np.testing.assert_array_equal(out_y, again_y)
    other_x, other_y = aug(x, LABELS, np.random.default_rng(2))
    assert not (np.array_equal(out_x, other_x) and np.array_equal(out_y, other_y))


def test_flips_are_exact():
    x = images((20, 2, 5, 7))
    always, _ = RandomFlip(p=1.0)(x, LABELS, np.random.default_rng(0))
    np.testing.assert_array_equal(always, x[..., ::-1])
    both, _ = RandomFlip(vertical=True, p=1.0)(x, LABELS, np.random.default_rng(0))
    np.testing.assert_array_equal(both, x[..., ::-1, ::-1])
    never, _ = RandomFlip(p=0.0)(x, LABELS, np.random.default_rng(0))
    np.testing.assert_array_equal(never, x)
    some, _ = RandomFlip(p=0.5)(x, LABELS, np.random.default_rng(0))
    flipped = [np.array_equal(s, xi[..., ::-1]) for s, xi in zip(some, x, strict=True)]
    kept = [np.array_equal(s, xi) for s, xi in zip(some, x, strict=True)]
    assert all(f != k for f, k in zip(flipped, kept, strict=True)) and 0 < sum(flipped) < 20


def test_rotation_by_zero_is_identity_and_by_90_is_rot90():
    x = images((6, 2, 8, 8))
    zero, _ = RandomRotation((0.0, 0.0))(x, LABELS, np.random.default_rng(0))
    np.testing.assert_array_equal(zero, x)
    np.testing.assert_allclose(rotate(x, np.full(6, 90.0)), np.rot90(x, 1, axes=(2, 3)),
                               atol=1e-5)
    np.testing.assert_allclose(rotate(x[:, 0], np.full(6, -90.0)), np.rot90(x[:, 0], -1, (1, 2)),
                               atol=1e-5)


def test_rotation_matches_scipy_map_coordinates():
    ndimage = pytest.importorskip("scipy.ndimage")
    x = images((3, 11, 13))
    angles = np.array([17.0, -40.0, 123.0])
    got = rotate(x, angles, fill=0.25)
    h, w = 11, 13
    cy, cx = (h - 1) / 2, (w - 1) / 2
    for n, angle in enumerate(np.deg2rad(angles)):
        i, j = np.mgrid[0:h, 0:w].astype(np.float64)
        u, v = j - cx, cy - i
        rows = cy - (-np.sin(angle) * u + np.cos(angle) * v)
        cols = cx + (np.cos(angle) * u + np.sin(angle) * v)
        want = ndimage.map_coordinates(x[n].astype(np.float64), [rows, cols], order=1,
                                       mode="grid-constant", cval=0.25)
        np.testing.assert_allclose(got[n], want, atol=1e-5)


def test_crop_windows_and_translation_shifts():
    x = images((10, 2, 6, 6))
    out, _ = RandomCrop(4, padding=1, fill=-1.0)(x, LABELS, np.random.default_rng(3))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-1.0)
    for n in range(10):  # each output is one window of its own padded image
        windows = [padded[n, :, t:t + 4, l:l + 4] for t in range(5) for l in range(5)]
        assert any(np.array_equal(out[n], wdw) for wdw in windows)
    same, _ = RandomCrop(6)(x, LABELS, np.random.default_rng(0))
    np.testing.assert_array_equal(same, x)
    shifted, _ = RandomTranslate(2)(x, LABELS, np.random.default_rng(4))
    big = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    seen = set()
    for n in range(10):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(shifted[n], big[n, :, 2 - dy:8 - dy, 2 - dx:8 - dx])]
        assert matches
        seen.update(matches)
    assert len(seen) > 1


def test_mixup_targets_are_distributions_accepted_by_cross_entropy():
    x, y = images((32, 1, 4, 4)), np.arange(32) % 4
    mixed_x, targets = Mixup(alpha=1.0, num_classes=4)(x, y, np.random.default_rng(0))
    assert targets.shape == (32, 4) and targets.dtype == np.float32
    np.testing.assert_allclose(targets.sum(axis=1), 1.0, atol=1e-6)
    assert (targets >= 0).all() and (targets <= 1).all()
    # a sample's own class weighs lam, or 1 when its partner has the same class
    lam = targets[np.arange(32), y].min()
    assert 0 < lam < 1
    # inputs are blends x' = lam x + (1 - lam) x[perm] of two samples of the batch
    flat = x.reshape(32, -1)
    mixed = mixed_x.reshape(32, -1)
    residual = [np.abs(mixed[i] - lam * flat[i] - (1 - lam) * flat).max(axis=1).min()
                for i in range(32)]
    assert max(residual) < 1e-5
    loss = F.cross_entropy(cr.tensor(np.zeros((32, 4), np.float32)), cr.Tensor._wrap(targets))
    assert np.isclose(loss.item(), np.log(4), atol=1e-5)
    with pytest.raises(ValueError, match="num_classes"):
        Mixup()(x, y, np.random.default_rng(0))


def test_label_noise_rates():
    y = np.arange(10000) % 10
    _, none = LabelNoise(0.0, 10)(None, y, np.random.default_rng(0))
    np.testing.assert_array_equal(none, y)
    _, every = LabelNoise(1.0, 10)(None, y, np.random.default_rng(0))
    assert (every != y).all() and every.min() >= 0 and every.max() <= 9
    _, some = LabelNoise(0.3, 10)(None, y, np.random.default_rng(0))
    assert abs((some != y).mean() - 0.3) < 0.02 and some.dtype == y.dtype


def test_gaussian_noise_statistics():
    x = np.zeros((200, 10, 10), np.float32)
    noisy, _ = GaussianNoise(0.5)(x, LABELS, np.random.default_rng(0))
    assert abs(noisy.std() - 0.5) < 0.01 and abs(noisy.mean()) < 0.01


def test_through_the_loader_and_validation():
    ds = ArrayDataset(images((40, 8, 8)), np.arange(40) % 3)
    loader = DataLoader(ds, batch_size=16, shuffle=True, seed=0,
                        transform=Compose([RandomFlip(), Mixup(0.2, 3)]))
    for xb, yb in loader:
        assert xb.shape[1:] == (8, 8) and yb.shape[1:] == (3,)
    with pytest.raises(ValueError, match=r"image batch \(N, H, W\)"):
        RandomFlip()(np.zeros((4, 5), np.float32), LABELS, np.random.default_rng(0))
    with pytest.raises(ValueError, match="larger than the padded"):
        RandomCrop(10)(images((2, 8, 8)), LABELS, np.random.default_rng(0))
    for make in (lambda: RandomFlip(False, False), lambda: RandomFlip(p=2),
                 lambda: RandomCrop(0), lambda: RandomTranslate(-1), lambda: GaussianNoise(-1),
                 lambda: Mixup(0), lambda: LabelNoise(1.5, 3), lambda: RandomRotation((10, -10))):
        with pytest.raises(ValueError):
            make()
