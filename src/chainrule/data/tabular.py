"""Your own table of data: CSV, parquet or npz columns into a dataset a network can train on.

A table has one row per sample and named columns: a ``target`` column, feature columns
(every other column by default) and, among them, ``categorical`` columns that are one-hot
encoded (one 0/1 column per category, named ``"<column>=<category>"``). What the encoding
learned (feature names, categories, the classes of the target, the task) is a
:class:`TabularSchema`: a few JSON values saved with the model, so a reloaded model encodes
new rows exactly as it encoded its training rows and every explanation can name the columns.

The task is ``"classification"`` or ``"regression"``; when not given it is inferred from the
target column: text, boolean or categorical targets are classes; an integer column with at most
``MAX_INFERRED_CLASSES`` distinct values is classes too; a floating-point column (a CSV column
written with decimals) or an integer one with more distinct values is regression.

Bad tables are errors that name the column: missing values (with the first rows), a
classification target with a single class, non-numeric feature columns not declared
categorical, column names the table does not have, and categories never seen in training.

pandas is imported when a table is read (never at ``import chainrule``); parquet needs pyarrow.

    >>> from chainrule.data import TabularDataset
    >>> ds = TabularDataset.shipped("breast_cancer")
    >>> len(ds), ds.x.shape[1], ds.schema.classes
    (569, 30, ('benign', 'malignant'))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.data.datasets import ArrayDataset

TASKS = ("classification", "regression")
MAX_INFERRED_CLASSES = 20
SHIPPED = {"breast_cancer": "breast_cancer.csv", "diabetes": "diabetes.csv"}
SHIPPED_TARGETS = {"breast_cancer": "diagnosis", "diabetes": "progression"}
SHIPPED_PREFIX = "chainrule:"


def shipped_path(name: str) -> Path:
    """Path of a table shipped with chainrule: ``"breast_cancer"`` or ``"diabetes"``.

    Both are scikit-learn's bundled sets written out as CSV (see ``tables/README.md``).
    ``name`` may also be given as ``"breast_cancer.csv"`` or ``"chainrule:breast_cancer.csv"``.
    """
    key = name.removeprefix(SHIPPED_PREFIX).removesuffix(".csv")
    if key not in SHIPPED:
        raise ValueError(f"no shipped table {name!r}; choose from {sorted(SHIPPED)}")
    return Path(str(resources.files("chainrule.data") / "tables" / SHIPPED[key]))


def resolve_path(path: str | Path) -> Path:
    """A user path, or a shipped table when written ``"chainrule:<name>.csv"``."""
    text = str(path)
    return shipped_path(text) if text.startswith(SHIPPED_PREFIX) else Path(path)


def _rows_of(mask: np.ndarray, limit: int = 5) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (", ..." if len(rows) > limit else "")


def _check_no_missing(frame: Any, columns: Sequence[str]) -> None:
    for col in columns:
        missing = frame[col].isna().to_numpy()
        if missing.any():
            raise ValueError(f"column {col!r} has {int(missing.sum())} missing value(s) "
                             f"(rows {_rows_of(missing)}); fill or drop them before loading")


def _is_numeric(series: Any) -> bool:
    import pandas as pd

    return (pd.api.types.is_numeric_dtype(series.dtype)
            and not pd.api.types.is_bool_dtype(series.dtype))


def _as_text(series: Any) -> np.ndarray:
    """Category labels as strings: what is stored in the schema and matched on reload."""
    return np.asarray([str(v) for v in series.astype(str)], dtype=object)


def infer_task(series: Any) -> str:
    """``"classification"`` or ``"regression"`` for a target column (see the module docstring)."""
    if not _is_numeric(series):
        return "classification"
    if series.dtype.kind == "f":
        return "regression"
    return "classification" if series.nunique() <= MAX_INFERRED_CLASSES else "regression"


@dataclass(frozen=True)
class TabularSchema:
    """How a table's columns become model inputs and targets (JSON-serialisable).

    Attributes:
        target: the target column's name.
        features: the feature columns, in the order they are encoded.
        categories: for each categorical feature, its categories (strings, sorted); each
            becomes one 0/1 input column.
        task: ``"classification"`` or ``"regression"``.
        classes: the target's classes (strings, sorted) for classification; label i is
            ``classes[i]``. Empty for regression.
    """

    target: str
    features: tuple[str, ...]
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    task: str = "regression"
    classes: tuple[str, ...] = ()

    @property
    def feature_names(self) -> list[str]:
        """Names of the encoded input columns: a numeric feature keeps its name, a categorical
        one gives ``"<column>=<category>"`` per category."""
        names: list[str] = []
        for col in self.features:
            cats = self.categories.get(col)
            names.extend([f"{col}={c}" for c in cats] if cats is not None else [col])
        return names

    @property
    def groups(self) -> dict[str, list[int]]:
        """For each feature column, the indices of its encoded input columns (one for a
        numeric column, one per category for a categorical one): what grouped permutation
        importance permutes together."""
        groups, start = {}, 0
        for col in self.features:
            width = len(self.categories.get(col, ())) or 1
            groups[col] = list(range(start, start + width))
            start += width
        return groups

    def to_dict(self) -> dict[str, Any]:
        """JSON values: ``{"target", "features", "categories", "task", "classes"}``."""
        return {"target": self.target, "features": list(self.features),
                "categories": {k: list(v) for k, v in self.categories.items()},
                "task": self.task, "classes": list(self.classes)}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> TabularSchema:
        """Rebuild from :meth:`to_dict` output."""
        return cls(target=state["target"], features=tuple(state["features"]),
                   categories={k: tuple(v) for k, v in state["categories"].items()},
                   task=state["task"], classes=tuple(state["classes"]))

    # ------------------------------------------------------------------ encoding
    def encode_features(self, frame: Any) -> np.ndarray:
        """The (N, len(feature_names)) float32 inputs of ``frame``'s feature columns.

        Raises:
            ValueError: a missing feature column, a missing value, a non-numeric value in a
                numeric column, or a category not seen when the schema was made.
        """
        absent = [c for c in self.features if c not in frame.columns]
        if absent:
            raise ValueError(f"the table lacks feature column(s) {absent} that the model was "
                             f"trained on; it has {list(frame.columns)}")
        _check_no_missing(frame, self.features)
        blocks = [self._encode_column(frame[col], col) for col in self.features]
        if not blocks:
            return np.zeros((len(frame), 0), np.float32)
        return np.concatenate(blocks, axis=1)

    def _encode_column(self, series: Any, col: str) -> np.ndarray:
        cats = self.categories.get(col)
        if cats is None:
            if not _is_numeric(series):
                example = series.iloc[0] if len(series) else None
                raise ValueError(f"column {col!r} is not numeric (dtype {series.dtype}, e.g. "
                                 f"{example!r}); declare it categorical or leave it out of "
                                 f"the features")
            return series.to_numpy(dtype=np.float32).reshape(-1, 1)
        text = _as_text(series)
        index = {c: i for i, c in enumerate(cats)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"column {col!r} has categories {unknown[:5]} not seen in "
                             f"training; known: {list(cats)}")
        codes = np.fromiter((index[v] for v in text), np.int64, len(text))
        return np.eye(len(cats), dtype=np.float32)[codes]

    def encode_target(self, series: Any) -> np.ndarray:
        """Labels (int64 indices into ``classes``) or targets ((N, 1) float32)."""
        _check_no_missing(series.to_frame(), [self.target])
        if self.task == "regression":
            if not _is_numeric(series):
                raise ValueError(f"target column {self.target!r} is not numeric (dtype "
                                 f"{series.dtype}) but the task is regression")
            return series.to_numpy(dtype=np.float32).reshape(-1, 1)
        text = _as_text(series)
        index = {c: i for i, c in enumerate(self.classes)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"target column {self.target!r} has classes {unknown[:5]} not "
                             f"seen in training; known: {list(self.classes)}")
        return np.fromiter((index[v] for v in text), np.int64, len(text))


def make_schema(frame: Any, target: str, features: Sequence[str] | None = None,
                categorical: Sequence[str] = (), task: str | None = None) -> TabularSchema:
    """Learn a :class:`TabularSchema` from a pandas DataFrame (see :meth:`TabularDataset.
    from_frame` for the arguments and the errors)."""
    columns = [str(c) for c in frame.columns]
    if target not in columns:
        raise ValueError(f"unknown target column {target!r}; the table has columns {columns}")
    if features is None:
        features = [c for c in columns if c != target]
    features, categorical = list(features), list(categorical)
    for what, names in (("features", features), ("categorical", categorical)):
        unknown = [c for c in names if c not in columns]
        if unknown:
            raise ValueError(f"unknown column(s) {unknown} in {what}; the table has {columns}")
    if target in features:
        raise ValueError(f"target column {target!r} is also listed among the features")
    stray = [c for c in categorical if c not in features]
    if stray:
        raise ValueError(f"categorical column(s) {stray} are not among the features {features}")
    if not features:
        raise ValueError(f"no feature columns: the table has only the target {target!r}")
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None, got {task!r}")
    _check_no_missing(frame, [*features, target])
    categories = {c: tuple(sorted(set(_as_text(frame[c])))) for c in categorical}
    task = task or infer_task(frame[target])
    classes: tuple[str, ...] = ()
    if task == "classification":
        classes = tuple(sorted(set(_as_text(frame[target])), key=_class_order))
        if len(classes) < 2:
            raise ValueError(f"target column {target!r} has one class ({classes[0]!r}); "
                             f"classification needs at least two")
    return TabularSchema(target, tuple(features), categories, task, classes)


def _class_order(label: str) -> tuple[int, float | str]:
    """Numeric labels in numeric order ('2' before '10'), text after them alphabetically."""
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)


class TabularDataset(ArrayDataset):
    """A dataset made from a table: encoded inputs ``x``, targets ``y`` and the ``schema``.

    Build one with :meth:`from_frame`, :meth:`from_csv`, :meth:`from_parquet`,
    :meth:`from_npz` or :meth:`shipped`. ``x`` is float32 (N, len(feature_names)); ``y`` is
    int64 labels (index into ``schema.classes``) or (N, 1) float32 targets.

    Attributes:
        schema: the :class:`TabularSchema` (save ``schema.to_dict()`` with the model).
        feature_names: the encoded input columns' names.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, schema: TabularSchema,
                 name: str | None = None):
        classes = schema.classes if schema.task == "classification" else None
        super().__init__(x, y, name=name, classes=classes)
        self.schema = schema
        self.feature_names = schema.feature_names

    @classmethod
    def from_frame(cls, frame: Any, target: str, features: Sequence[str] | None = None,
                   categorical: Sequence[str] = (), task: str | None = None,
                   schema: TabularSchema | None = None, name: str | None = None
                   ) -> TabularDataset:
        """Encode a pandas DataFrame.

        Args:
            frame: the table, one row per sample.
            target: name of the target column.
            features: the feature columns, in order. Defaults to every other column.
            categorical: feature columns to one-hot encode. Defaults to none.
            task: ``"classification"`` or ``"regression"``; inferred when ``None``.
            schema: encode with an existing schema (e.g. a trained model's) instead of
                learning one; the other column arguments are then ignored.
            name: the dataset's name. Defaults to ``None``.

        Raises:
            ValueError: an unknown column (target, features or categorical), a missing
                value, a classification target with one class, a non-numeric feature not
                declared categorical; each message names the column.
        """
        frame = frame.rename(columns=str)
        if schema is None:
            schema = make_schema(frame, target, features, categorical, task)
        x = schema.encode_features(frame)
        if schema.target not in frame.columns:
            raise ValueError(f"unknown target column {schema.target!r}; the table has "
                             f"columns {list(frame.columns)}")
        return cls(x, schema.encode_target(frame[schema.target]), schema, name=name)

    @classmethod
    def from_csv(cls, path: str | Path, target: str, **kwargs: Any) -> TabularDataset:
        """Read a CSV file (header row of column names) and encode it (see
        :meth:`from_frame` for the keyword arguments)."""
        return cls.from_frame(read_table(path, "csv"), target,
                              **{"name": Path(str(path)).stem, **kwargs})

    @classmethod
    def from_parquet(cls, path: str | Path, target: str, **kwargs: Any) -> TabularDataset:
        """Read a parquet file (needs pyarrow) and encode it (see :meth:`from_frame`)."""
        return cls.from_frame(read_table(path, "parquet"), target,
                              **{"name": Path(str(path)).stem, **kwargs})

    @classmethod
    def from_npz(cls, path: str | Path, target: str, **kwargs: Any) -> TabularDataset:
        """Read an ``.npz`` holding one 1-D array per column (the array names are the column
        names; loaded without pickle) and encode it (see :meth:`from_frame`)."""
        return cls.from_frame(read_table(path, "npz"), target,
                              **{"name": Path(str(path)).stem, **kwargs})

    @classmethod
    def shipped(cls, name: str, **kwargs: Any) -> TabularDataset:
        """A table shipped with chainrule: ``"breast_cancer"`` (target ``diagnosis``,
        benign/malignant) or ``"diabetes"`` (target ``progression``, regression)."""
        key = name.removesuffix(".csv")
        kwargs.setdefault("target", SHIPPED_TARGETS.get(key, ""))
        return cls.from_csv(shipped_path(key), **kwargs)


def _read_npz(path: Path) -> Any:
    import pandas as pd

    columns = {}
    with np.load(path, allow_pickle=False) as archive:
        for name in archive.files:
            try:
                columns[name] = archive[name]
            except ValueError as exc:  # object arrays need pickle, which is never used
                raise ValueError(f"{path}: column {name!r} is an object array, which would "
                                 f"need pickle to load; save text as a fixed-width string "
                                 f"array (np.asarray(list_of_str))") from exc
    bad = {k: v.shape for k, v in columns.items() if v.ndim != 1}
    if bad:
        raise ValueError(f"{path}: every array must be one 1-D column; got shapes {bad}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{path}: columns differ in length: "
                         f"{ {k: len(v) for k, v in columns.items()} }")
    return pd.DataFrame(columns)


def _read_csv(path: Path) -> Any:
    import pandas as pd

    return pd.read_csv(path)


def _read_parquet(path: Path) -> Any:
    import pandas as pd

    return pd.read_parquet(path)


READERS: dict[str, Callable[[Path], Any]] = {"csv": _read_csv, "parquet": _read_parquet,
                                             "npz": _read_npz}


def read_table(path: str | Path, kind: str) -> Any:
    """A pandas DataFrame from a ``kind`` (``"csv"``, ``"parquet"``, ``"npz"``) file.

    Raises:
        FileNotFoundError: no such file. ValueError: an unknown kind, an empty table.
    """
    if kind not in READERS:
        raise ValueError(f"unknown table format {kind!r}; choose from {sorted(READERS)}")
    path = resolve_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {kind} file at {path}")
    frame = READERS[kind](path)
    if len(frame) == 0:
        raise ValueError(f"{path} holds no rows")
    return frame


TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".npz": "npz"}


def encode_table(path: str | Path, schema: TabularSchema | dict[str, Any]) -> np.ndarray:
    """The model inputs of the rows of a table file (format from the suffix: ``.csv``,
    ``.parquet``, ``.npz``), encoded by a trained model's ``schema`` (extra columns, the
    target among them, are ignored).

    Raises:
        ValueError: an unknown suffix, and every error of :meth:`TabularSchema.encode_features`.
    """
    kind = TABLE_SUFFIXES.get(Path(str(path)).suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a table must end in one of {sorted(TABLE_SUFFIXES)}")
    if isinstance(schema, dict):
        schema = TabularSchema.from_dict(schema)
    return schema.encode_features(read_table(path, kind).rename(columns=str))
