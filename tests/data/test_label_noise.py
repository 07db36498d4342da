import numpy as np
import pytest

from chainrule.data import ArrayDataset
from chainrule.data.label_noise import label_noise, noisy_labels


def test_label_noise_flips_exact_fraction_to_other_classes():
    y = np.random.default_rng(0).integers(0, 10, 1000)
    original = y.copy()
    noisy = label_noise(y, 0.2, 10, generator=1)
    np.testing.assert_array_equal(y, original)
    changed = noisy != y
    assert changed.sum() == 200
    assert noisy.min() >= 0 and noisy.max() < 10 and noisy.dtype == y.dtype
    np.testing.assert_array_equal(noisy, label_noise(y, 0.2, 10, generator=1))
    # New classes are spread over the other nine.
    shifts = (noisy[changed] - y[changed]) % 10
    assert set(np.unique(shifts)) == set(range(1, 10))


def test_label_noise_errors():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got range \[0, 7\]"):
        label_noise(np.array([0, 7]), 0.1, 4)
    with pytest.raises(TypeError, match="labels must be integers"):
        label_noise(np.array([0.5]), 0.1, 3)
    with pytest.raises(ValueError, match="fraction must be in \\[0, 1\\], got 1.5"):
        label_noise(np.array([0, 1]), 1.5, 3)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2, got 1"):
        label_noise(np.array([0, 0]), 0.5, 1)


def test_noisy_labels_dataset_transform():
    rng = np.random.default_rng(0)
    ds = ArrayDataset(rng.standard_normal((500, 3)).astype(np.float32), rng.integers(0, 5, 500),
                      name="toy")
    noisy = noisy_labels(ds, 0.1, generator=0)
    assert noisy.x is ds.x and noisy.name == "toy-label-noise"
    assert (noisy.y != ds.y).sum() == 50
    np.testing.assert_array_equal(noisy.y, noisy_labels(ds, 0.1, generator=0).y)
