"""Datasets, the DataLoader, preprocessing and augmentation.

    >>> import chainrule as cr
    >>> from chainrule.data import DataLoader, two_moons, train_val_split
    >>> train, val = train_val_split(two_moons(200, noise=0.1, generator=0), 0.25, seed=0)
    >>> xb, yb = next(iter(DataLoader(train, batch_size=32, shuffle=True, seed=0)))
    >>> tuple(xb.shape), yb.data.dtype
    ((32, 2), dtype('int64'))

Layer: imports ``autograd`` and ``random`` only; ``train`` and above use it, ``nn`` never does.
"""

from chainrule.data import augment, preprocess
from chainrule.data.datasets import (
    ArrayDataset,
    check_finite,
    data_root,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
)
from chainrule.data.download import ChecksumError, DownloadError
from chainrule.data.label_noise import label_noise, noisy_labels
from chainrule.data.loader import DataLoader
from chainrule.data.mnist import MNIST
from chainrule.data.split import train_val_split
from chainrule.data.synthetic import (
    circles,
    function_regression,
    random_labels,
    spirals,
    two_moons,
    xor,
)
from chainrule.data.tabular import TabularDataset, TabularSchema

__all__ = [
    "MNIST", "ArrayDataset", "ChecksumError", "DataLoader", "DownloadError", "augment",
    "check_finite", "circles", "data_root", "function_regression", "label_noise",
    "load_breast_cancer", "load_diabetes", "load_digits", "load_iris", "noisy_labels",
    "preprocess", "random_labels", "spirals", "TabularDataset", "TabularSchema",
    "train_val_split", "two_moons", "xor",
]
