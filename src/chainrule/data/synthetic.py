"""Small synthetic datasets for the decks' demos, each drawn from a seedable generator.

Every function takes ``generator``: a ``numpy.random.Generator``, an int seed, or ``None`` for
the global generator that :func:`chainrule.manual_seed` resets. Same seed, same bits. Samples
come in random order (classes interleaved) unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.data.datasets import ArrayDataset

Generator = np.random.Generator | int | None


def _check(n: int, noise: float, minimum: int = 1) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"n must be an integer >= {minimum}, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _labelled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, name: str,
              classes: list[str]) -> ArrayDataset:
    order = rng.permutation(len(x))
    return ArrayDataset(x[order], y[order], name=name, classes=classes)


def _split(n: int, parts: int) -> np.ndarray:
    """Labels 0..parts-1 with n samples as evenly as possible (the first parts get one more)."""
    return np.repeat(np.arange(parts), [n // parts + (k < n % parts) for k in range(parts)])


def xor(n: int = 200, noise: float = 0.1, generator: Generator = None) -> ArrayDataset:
    """XOR: the four corners of the unit square, label a XOR b, plus Gaussian noise.

    x = (a, b) + noise * N(0, I) with (a, b) in {0, 1}^2 taken in turn (balanced corners),
    y = a XOR b. Not linearly separable: the classic case for a hidden layer.

    Args:
        n: number of samples. Defaults to 200.
        noise: standard deviation of the added noise. Defaults to 0.1.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    _check(n, noise)
    rng = cr_random.resolve(generator)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    which = np.arange(n) % 4
    x = corners[which] + noise * rng.standard_normal((n, 2))
    y = (corners[which, 0] != corners[which, 1]).astype(np.int64)
    return _labelled(x, y, rng, "xor", ["0", "1"])


def two_moons(n: int = 200, noise: float = 0.1, generator: Generator = None) -> ArrayDataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``).

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t); t ~ U[0, pi]; plus
    noise * N(0, I). Class 0 holds n - n // 2 samples, class 1 n // 2.

    Args:
        n: number of samples (>= 2). Defaults to 200.
        noise: standard deviation of the added noise. Defaults to 0.1.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    _check(n, noise, minimum=2)
    rng = cr_random.resolve(generator)
    y = _split(n, 2)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    x += noise * rng.standard_normal((n, 2))
    return _labelled(x, y, rng, "two_moons", ["upper", "lower"])


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5,
            generator: Generator = None) -> ArrayDataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``.

    x = r (cos t, sin t) + noise * N(0, I), t ~ U[0, 2 pi).

    Args:
        n: number of samples (>= 2). Defaults to 200.
        noise: standard deviation of the added noise. Defaults to 0.05.
        factor: inner radius relative to the outer one, in (0, 1). Defaults to 0.5.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    _check(n, noise, minimum=2)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor!r}")
    rng = cr_random.resolve(generator)
    y = _split(n, 2)
    t = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)[:, None]
    x = radius * np.stack([np.cos(t), np.sin(t)], axis=1) + noise * rng.standard_normal((n, 2))
    return _labelled(x, y, rng, "circles", ["outer", "inner"])


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2,
            generator: Generator = None) -> ArrayDataset:
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm k: radius r = linspace(0, 1), angle t = linspace(4k, 4(k + 1)) + noise * N(0, 1),
    x = r (sin t, cos t). The noise perturbs the angle, as in the original.

    Args:
        n: total number of samples, shared as evenly as possible between the arms. Defaults
            to 300.
        classes: number of arms (>= 2). Defaults to 3.
        noise: standard deviation of the angle noise (radians). Defaults to 0.2.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    if not isinstance(classes, (int, np.integer)) or isinstance(classes, bool) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    _check(n, noise, minimum=classes)
    rng = cr_random.resolve(generator)
    y = _split(n, classes)
    counts = np.bincount(y, minlength=classes)
    # position of each sample along its own arm, from 0 to 1
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    along = (np.arange(n) - start[y]) / np.maximum(counts[y] - 1, 1)
    t = 4 * (y + along) + noise * rng.standard_normal(n)
    x = along[:, None] * np.stack([np.sin(t), np.cos(t)], axis=1)
    return _labelled(x, y, rng, "spirals", [str(k) for k in range(classes)])


def function_regression(fn: Callable[[np.ndarray], Any] = np.sin, n: int = 200,
                        low: float = -np.pi, high: float = np.pi, noise: float = 0.0,
                        generator: Generator = None) -> ArrayDataset:
    """Samples of a 1-D function for the universal-approximation demo.

    x ~ U[low, high] sorted ascending (ready to plot), y = fn(x) + noise * N(0, 1); both of
    shape (n, 1) float32, the shape of a one-output model.

    Args:
        fn: a vectorised function of a float64 array. Defaults to ``np.sin``.
        n: number of samples. Defaults to 200.
        low, high: the interval. Defaults to -pi and pi.
        noise: standard deviation of the target noise. Defaults to 0.0.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    _check(n, noise)
    if not low < high:
        raise ValueError(f"need low < high, got low={low!r}, high={high!r}")
    rng = cr_random.resolve(generator)
    x = np.sort(rng.uniform(low, high, n))
    y = np.asarray(fn(x), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"fn must map an array of shape {x.shape} to the same shape, "
                         f"got {y.shape}")
    y = y + noise * rng.standard_normal(n)
    return ArrayDataset(x[:, None], y[:, None],
                        name=f"function_regression-{getattr(fn, '__name__', 'fn')}")


def random_labels(dataset: Any, num_classes: int | None = None,
                  generator: Generator = None) -> ArrayDataset:
    """The same inputs with labels drawn uniformly at random (the memorisation experiment).

    Zhang et al. (2017), "Understanding deep learning requires rethinking generalization":
    a large enough network fits random labels perfectly, so fitting says nothing about
    generalisation. The inputs are shared with ``dataset`` (no copy).

    Args:
        dataset: any dataset with ``.x`` (and ``.num_classes`` when ``num_classes`` is None).
        num_classes: labels are drawn from 0..num_classes-1. Defaults to the dataset's.
        generator: seed or generator. Defaults to ``None`` (global generator).
    """
    if num_classes is None:
        num_classes = getattr(dataset, "num_classes", None)
        if num_classes is None:
            raise ValueError("random_labels: the dataset has no num_classes; pass num_classes")
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    rng = cr_random.resolve(generator)
    y = rng.integers(0, num_classes, len(dataset.x), dtype=np.int64)
    name = getattr(dataset, "name", None)
    classes = getattr(dataset, "classes", None)
    return ArrayDataset(dataset.x, y, name=f"{name}-random-labels" if name else "random-labels",
                        classes=classes if classes and len(classes) == num_classes else None)
