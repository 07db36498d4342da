"""In-memory datasets: features ``x`` (float32, samples first) and labels or targets ``y``.

A dataset is anything with ``.x`` and ``.y`` arrays of the same length ``N``; indexing
returns ``(x[index], y[index])`` for an int, a slice or an integer array, so a batch is one
vectorised gather. :class:`ArrayDataset` validates and holds the arrays; the loaders in this
file turn scikit-learn's bundled sets (no network) into datasets.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

DATA_ENV = "CHAINRULE_DATA"


def data_root() -> Path:
    """Where datasets live: ``$CHAINRULE_DATA``, else ``~/.cache/chainrule``."""
    root = os.environ.get(DATA_ENV)
    return Path(root).expanduser() if root else Path.home() / ".cache" / "chainrule"


def check_finite(array: np.ndarray, what: str) -> None:
    """Raise ``ValueError`` naming the count and first sample of NaN/inf values in ``array``.

    A float64 sum of float32 values cannot overflow, so a finite sum proves every value
    finite without allocating a mask; the mask is only built to report a failure.
    """
    if array.dtype.kind != "f":
        return
    with np.errstate(invalid="ignore", over="ignore"):
        if np.isfinite(np.sum(array, dtype=np.float64)):
            return
    bad = ~np.isfinite(array)
    count = int(bad.sum())
    if count == 0:  # the sum itself overflowed float64 (float64 input near its maximum)
        return
    first = np.unravel_index(int(np.argmax(bad.reshape(-1))), array.shape)
    where = f"sample {first[0]}" if array.ndim > 1 else f"index {first[0]}"
    raise ValueError(f"{what} holds {count} NaN/inf value(s); the first is at {where} "
                     f"(position {tuple(int(i) for i in first)})")


def _as_labels(y: ArrayLike) -> np.ndarray:
    """Integer/boolean labels become int64, real targets float32; anything else is an error."""
    y = np.asarray(y)
    if y.dtype.kind in "iub":
        return y.astype(np.int64, copy=False)
    if y.dtype.kind == "f":
        check_finite(y, "y")
        with np.errstate(over="ignore"):
            y32 = y.astype(np.float32, copy=False)
        check_finite(y32, "y, beyond the float32 range,")
        return y32
    raise TypeError(f"y must hold integer labels or real-valued targets, got dtype {y.dtype}")


class ArrayDataset:
    """A dataset held as two arrays: ``x`` (float32) and ``y`` (int64 labels or float32 targets).

    Args:
        x: features, samples on axis 0, any trailing shape (e.g. (N, 28, 28) images).
            Converted to float32 (no copy when already float32); NaN/inf are rejected.
        y: labels (integers -> int64) or regression targets (floats -> float32), length N.
        name: a short name for reprs and reports. Defaults to ``None``.
        classes: names of the classes, index = label. Defaults to ``None``; integer labels
            then get ``num_classes = max(y) + 1``.

    Raises:
        ValueError: different lengths, an empty set, NaN/inf in x or y, scalar arrays.
        TypeError: labels that are neither integer nor real (strings, objects, complex).

    Example:
        >>> ds = ArrayDataset([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1, 1, 0])
        >>> xb, yb = ds[[0, 2]]
        >>> len(ds), ds.num_classes, xb.shape, yb.tolist()
        (3, 2, (2, 2), [1, 0])
    """

    def __init__(self, x: ArrayLike, y: ArrayLike, name: str | None = None,
                 classes: Sequence[str] | None = None):
        source = np.asarray(x)
        with np.errstate(over="ignore"):  # values beyond float32 become inf, reported below
            x = source.astype(np.float32, copy=False)
        y = _as_labels(y)
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(f"x and y need a sample axis, got shapes {x.shape} and {y.shape}")
        if len(x) != len(y):
            raise ValueError(f"x and y must have the same length, got {len(x)} samples in x "
                             f"(shape {x.shape}) and {len(y)} in y (shape {y.shape})")
        if len(x) == 0:
            raise ValueError(f"a dataset cannot be empty: x has shape {x.shape}")
        check_finite(source, "x")
        if x is not source:
            check_finite(x, "x, beyond the float32 range,")
        if classes is not None and y.dtype.kind == "i":
            top = int(y.max())
            if top >= len(classes):
                raise ValueError(f"label {top} has no class name: {len(classes)} classes given")
        self.x, self.y, self.name = x, y, name
        self.classes = tuple(classes) if classes is not None else None

    @property
    def num_classes(self) -> int | None:
        """Number of classes for integer labels (``len(classes)`` or ``max(y) + 1``), else None."""
        if self.classes is not None:
            return len(self.classes)
        return int(self.y.max()) + 1 if self.y.dtype.kind == "i" else None

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.x[index], self.y[index]

    def __repr__(self) -> str:
        extra = f", num_classes={self.num_classes}" if self.num_classes is not None else ""
        return (f"{type(self).__name__}(name={self.name!r}, n={len(self)}, "
                f"x={self.x.shape[1:]} {self.x.dtype}, y={self.y.shape[1:]} {self.y.dtype}"
                f"{extra})")


def derived(dataset: Any, x: np.ndarray, y: np.ndarray, suffix: str) -> ArrayDataset:
    """A new dataset from ``dataset``'s metadata (classes, name + suffix) and new arrays."""
    name = getattr(dataset, "name", None)
    return ArrayDataset(x, y, name=f"{name}-{suffix}" if name else suffix,
                        classes=getattr(dataset, "classes", None))


# ------------------------------------------------------------------ scikit-learn sets
def _sklearn(loader_name: str) -> Any:
    # Imported on use: scikit-learn takes about a second to import.
    from sklearn import datasets
    return getattr(datasets, loader_name)()


def _sklearn_file(name: str) -> Path | None:
    """A data file bundled with scikit-learn, found without importing scikit-learn."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    folders = (spec.submodule_search_locations or []) if spec is not None else []
    found = [Path(f) / "datasets" / "data" / name for f in folders]
    return next((p for p in found if p.is_file()), None)


@functools.lru_cache(maxsize=4)
def _read_table(path: str, mtime_ns: int) -> np.ndarray:
    """A bundled CSV file parsed once per process (read-only; keyed by its modification
    time): parsing the digits took 18 ms, paid by every trial of a search."""
    table = np.loadtxt(path, delimiter=",")
    table.flags.writeable = False
    return table


def load_digits(flatten: bool = False) -> ArrayDataset:
    """scikit-learn's 8x8 handwritten digits: 1797 images, 10 classes, no network needed.

    Pixels (0..16 in the source) are scaled to [0, 1]: x = pixel / 16. The bundled
    ``digits.csv.gz`` (64 pixels and the label per row) is read directly, as
    ``sklearn.datasets.load_digits`` reads it: importing scikit-learn costs a second of CPU
    in every process that loads the digits (each search worker, each ``chainrule train``).

    Args:
        flatten: return x as (1797, 64) instead of (1797, 8, 8). Defaults to ``False``.
    """
    path = _sklearn_file("digits.csv.gz")
    if path is None:
        bunch = _sklearn("load_digits")
        images, target = bunch.images, bunch.target
    else:
        table = _read_table(str(path), path.stat().st_mtime_ns)
        images, target = table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)
    x = images.astype(np.float32) / np.float32(16)
    return ArrayDataset(x.reshape(len(x), -1) if flatten else x, target, name="digits",
                        classes=[str(c) for c in range(10)])


def load_breast_cancer() -> ArrayDataset:
    """Wisconsin breast cancer: 569 samples, 30 raw features, classes malignant (0)/benign (1).

    Features keep their units (they differ by orders of magnitude): standardise them with
    :class:`chainrule.data.preprocess.Standardize` fitted on the training split.
    """
    bunch = _sklearn("load_breast_cancer")
    return ArrayDataset(bunch.data, bunch.target, name="breast_cancer",
                        classes=list(bunch.target_names))


def load_diabetes() -> ArrayDataset:
    """Diabetes progression regression: 442 samples, 10 features (already centred and scaled
    by scikit-learn), target y of shape (442, 1) float32 so it matches a model's (N, 1) output.
    """
    bunch = _sklearn("load_diabetes")
    return ArrayDataset(bunch.data, bunch.target.reshape(-1, 1), name="diabetes")


def load_iris() -> ArrayDataset:
    """Fisher's iris: 150 samples, 4 features (cm), 3 classes (setosa, versicolor, virginica)."""
    bunch = _sklearn("load_iris")
    return ArrayDataset(bunch.data, bunch.target, name="iris", classes=list(bunch.target_names))
