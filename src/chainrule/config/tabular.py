"""``[data]`` keys for a table of your own: ``dataset = "csv" | "parquet" | "npz"``.

    [data]
    dataset = "csv"
    path = "heart.csv"                 # or "chainrule:breast_cancer.csv", a shipped table
    target = "AHD"
    features = ["Age", "ChestPain", "Chol"]   # default: every other column
    categorical = ["ChestPain"]        # one-hot encoded; categories saved with the model
    task = "classification"            # default: inferred from the target column

The table is split like the built-in sets (``test_fraction``, then ``val_fraction``,
stratified for classes). A relative ``path`` is read from the current directory. The loaders
here are entries of :data:`chainrule.config.datasets.DATASETS`; each returns a
:class:`~chainrule.data.TabularDataset`, whose ``schema`` (column names, categories, classes)
the run saves in its model file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import model_validator

from chainrule.config.section import Section

TABLE_FORMATS = ("csv", "parquet", "npz")
TABLE_KEYS = ("path", "target", "features", "categorical", "task")


class TableFields(Section):
    """The table keys of ``[data]``; required (path, target) or allowed only for a table."""

    path: str | None = None
    target: str | None = None
    features: list[str] | None = None
    categorical: list[str] = []
    task: Literal["classification", "regression"] | None = None

    @model_validator(mode="after")
    def _table_keys_fit_the_dataset(self) -> TableFields:
        dataset = getattr(self, "dataset", None)
        if dataset in TABLE_FORMATS:
            missing = [k for k in ("path", "target") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"dataset = {dataset!r} needs data.{' and data.'.join(missing)}"
                                 f" (the file and its target column)")
        else:
            # Defaults are fine: a resolved config.toml writes every key out.
            given = [k for k in TABLE_KEYS if getattr(self, k) not in (None, [])]
            if given:
                raise ValueError(f"data.{', data.'.join(given)} only apply to a table of your "
                                 f"own (dataset = one of {list(TABLE_FORMATS)}), not to "
                                 f"dataset = {dataset!r}")
        return self


def _table(kind: str) -> Callable[[Any, int], Any]:
    def load(cfg: Any, seed: int) -> Any:
        from chainrule.data.tabular import TabularDataset, read_table

        frame = read_table(cfg.path, kind)
        return TabularDataset.from_frame(frame, cfg.target, features=cfg.features,
                                         categorical=cfg.categorical, task=cfg.task,
                                         name=str(cfg.path).rsplit("/", 1)[-1].split(".")[0])
    return load


TABLES: dict[str, Callable[[Any, int], Any]] = {kind: _table(kind) for kind in TABLE_FORMATS}
"""Table format -> loader ``f(data_section, seed) -> TabularDataset``."""
