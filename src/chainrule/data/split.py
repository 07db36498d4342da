"""Hold out a validation set: seeded, stratified by class for integer labels."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.data.datasets import ArrayDataset, derived


def train_val_split(dataset: Any, val_fraction: float = 0.2,
                    seed: np.random.Generator | int | None = 0,
                    stratify: bool = True) -> tuple[ArrayDataset, ArrayDataset]:
    """Split a dataset in two at random: ``round(val_fraction * N)`` samples go to validation.

    With ``stratify`` and integer labels, each class contributes to validation in proportion
    to its size (per-class quotas floor(f * n_c), the remaining slots going to the largest
    remainders), so both parts keep the class balance. Regression targets are split without
    stratification. Each part keeps the original sample order.

    Args:
        dataset: a dataset with ``.x`` and ``.y`` (its ``classes`` and ``name`` are kept).
        val_fraction: share of samples held out, in (0, 1). Defaults to 0.2.
        seed: an int seed, a generator, or ``None`` for the global generator. Defaults to 0.
        stratify: keep the class proportions (integer labels only). Defaults to ``True``.

    Returns:
        ``(train, val)`` datasets (copies of the selected rows).

    Raises:
        ValueError: a fraction outside (0, 1), or one that leaves a part empty.

    Example:
        >>> from chainrule.data import load_iris
        >>> train, val = train_val_split(load_iris(), 0.2, seed=0)
        >>> len(train), len(val), np.bincount(val.y).tolist()
        (120, 30, [10, 10, 10])
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    n = len(dataset.y)
    n_val = int(round(val_fraction * n))
    if not 0 < n_val < n:
        raise ValueError(f"val_fraction={val_fraction} of {n} samples gives {n_val} validation "
                         f"samples; both parts need at least one")
    rng = cr_random.resolve(seed)
    order = rng.permutation(n)
    y = dataset.y
    if stratify and y.ndim == 1 and y.dtype.kind in "iu":
        is_val = _stratified(y, order, n_val, val_fraction)
    else:
        is_val = np.zeros(n, dtype=bool)
        is_val[order[:n_val]] = True
    train, val = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    return (derived(dataset, dataset.x[train], y[train], "train"),
            derived(dataset, dataset.x[val], y[val], "val"))


def _stratified(y: np.ndarray, order: np.ndarray, n_val: int, fraction: float) -> np.ndarray:
    """Mask of validation samples: the first quota[c] of each class in the random ``order``."""
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    share = fraction * counts
    quota = np.floor(share).astype(np.int64)
    # Largest remainders get the slots left; a stable sort breaks ties by class order.
    extra = np.argsort(-(share - quota), kind="stable")[:n_val - quota.sum()]
    quota[extra] += 1
    shuffled = inverse[order]
    by_class = order[np.argsort(shuffled, kind="stable")]  # random order within each class
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(len(y)) - np.repeat(starts, counts)  # position within the class
    is_val = np.zeros(len(y), dtype=bool)
    is_val[by_class[rank < np.repeat(quota, counts)]] = True
    return is_val
