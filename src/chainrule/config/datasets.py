"""The datasets a config's ``[data] dataset`` can name, each a loader from the section.

A loader takes the validated ``[data]`` section and the seed and returns either
one dataset (split into train and test by ``test_fraction``) or a
``(train, test)`` pair for datasets with a fixed test split. Adding a dataset is
adding an entry here (``DataConfig.dataset`` accepts exactly these names); give
it options by adding fields to ``DataConfig``. Loaders import
:mod:`chainrule.data` when called, so the schema stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule.config.tabular import TABLES


def _sklearn(loader: str) -> Callable[[Any, int], Any]:
    def load(cfg: Any, seed: int) -> Any:
        from chainrule import data

        return getattr(data, loader)()
    return load


def _synthetic(maker: str) -> Callable[[Any, int], Any]:
    def load(cfg: Any, seed: int) -> Any:
        from chainrule import data

        return getattr(data, maker)(n=cfg.samples, noise=cfg.noise, generator=seed)
    return load


def _mnist(cfg: Any, seed: int) -> tuple[Any, Any]:
    from chainrule.data import MNIST

    return MNIST("train"), MNIST("test")


def _sine(cfg: Any, seed: int) -> Any:
    import numpy as np

    from chainrule.data import function_regression

    return function_regression(np.sin, n=cfg.samples, noise=cfg.noise, generator=seed)


DATASETS: dict[str, Callable[[Any, int], Any]] = {
    "digits": _sklearn("load_digits"), "mnist": _mnist,
    "breast_cancer": _sklearn("load_breast_cancer"), "diabetes": _sklearn("load_diabetes"),
    "iris": _sklearn("load_iris"), "xor": _synthetic("xor"), "moons": _synthetic("two_moons"),
    "circles": _synthetic("circles"), "spirals": _synthetic("spirals"), "sine": _sine,
    **TABLES,
}
"""Dataset name -> loader ``f(data_section, seed) -> dataset | (train, test)``."""
