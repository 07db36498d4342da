"""Label noise as a data transform: corrupt a fraction of the class labels, once or per batch.

:func:`label_noise` changes labels of an array, :func:`noisy_labels` those of a
dataset (fixed for all epochs); ``augment.LabelNoise`` draws fresh noise in
every batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.data.datasets import derived


def _check_labels(y: Any, fraction: float, num_classes: int, owner: str) -> np.ndarray:
    """``y`` as an integer ndarray, after checking the labels, fraction and class count."""
    labels = np.asarray(y.data if isinstance(y, Tensor) else y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{owner}: labels must be integers, got dtype {labels.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 2:
        raise ValueError(f"{owner}: num_classes must be an integer >= 2, got {num_classes!r}")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{owner}: fraction must be in [0, 1], got {fraction}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{owner}: labels must lie in [0, {num_classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    return labels


def label_noise(y: Any, fraction: float, num_classes: int,
                generator: np.random.Generator | int | None = None) -> np.ndarray:
    """A copy of the labels ``y`` with round(fraction * n) of them, chosen at random,
    each changed to a different class drawn uniformly from the other num_classes - 1.

    Example:
        >>> label_noise(np.array([0, 1, 2, 0]), 0.5, num_classes=3, generator=0).shape
        (4,)
    """
    labels = _check_labels(y, fraction, num_classes, "label_noise").copy()
    rng = cr_random.resolve(generator)
    flat = labels.reshape(-1)
    idx = rng.choice(flat.size, size=int(round(fraction * flat.size)), replace=False)
    flat[idx] = (flat[idx] + rng.integers(1, num_classes, size=idx.size)) % num_classes
    return labels


def noisy_labels(dataset: Any, fraction: float, num_classes: int | None = None,
                 generator: np.random.Generator | int | None = None) -> Any:
    """Label noise as a dataset transform: the same inputs (shared, not copied) with
    :func:`label_noise` applied once to the labels, so the corruption is fixed for all epochs.

    For fresh noise in every batch instead, pass ``chainrule.data.augment.LabelNoise`` to
    ``DataLoader(transform=...)``.

    Args:
        dataset: a dataset with ``.x`` and integer ``.y`` (e.g. ``ArrayDataset``).
        fraction: fraction of labels to change, in [0, 1].
        num_classes: number of classes. Defaults to ``dataset.num_classes``.
        generator: random generator (or seed). Defaults to the global one.

    Returns:
        An ``ArrayDataset`` named "<name>-label-noise".
    """
    if num_classes is None:
        num_classes = getattr(dataset, "num_classes", None)
        if num_classes is None:
            raise ValueError("noisy_labels: the dataset has no num_classes; pass num_classes")
    y = label_noise(dataset.y, fraction, num_classes, generator)
    return derived(dataset, dataset.x, y, "label-noise")
