"""The preprocessor protocol: fit on the training split, transform any split, save the state.

As in scikit-learn: ``fit(x_train)`` learns the statistics, ``transform(x)`` applies them to any
split, ``fit_transform`` does both. Inputs have samples first and any trailing shape; the
features are the flattened trailing axes, and outputs keep that shape (except PCA, which
returns (N, k) components). Statistics are computed in float64 and stored as float32.

``state_dict()`` gives ``{"type", "config", "feature_shape", "arrays"}`` (ndarrays and JSON values
only) for a model checkpoint; :func:`from_state_dict` rebuilds the fitted object, so predictions
on raw inputs work after a reload.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from chainrule.data.datasets import check_finite

_REGISTRY: dict[str, Any] = {}  # type name -> class with a _restore(state) classmethod


def _rows(x: ArrayLike, what: str) -> np.ndarray:
    """``x`` as float32 rows (N, features), after rejecting scalars and NaN/inf."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 0:
        raise ValueError(f"{what}: expected samples on axis 0, got a scalar")
    check_finite(x, f"{what}: input")
    return x.reshape(len(x), int(np.prod(x.shape[1:])))


class Preprocessor(ABC):
    """Base class: ``fit`` / ``transform`` / ``inverse_transform`` and checkpoint state.

    Subclasses list their fitted arrays in ``_arrays`` as ``{name: shape}``, where a shape
    names its axes: ``"D"`` is the number of input features, other letters must agree among
    the arrays (PCA's ``"k"`` components). They implement ``_fit``, ``_forward``, ``_backward``.
    """

    _arrays: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        register(cls)

    feature_shape_: tuple[int, ...] | None = None

    def get_config(self) -> dict:
        """The constructor arguments (JSON values)."""
        return {}

    @property
    def is_fitted(self) -> bool:
        return self.feature_shape_ is not None

    @property
    def n_features_in_(self) -> int:
        self._check_fitted("n_features_in_")
        return int(np.prod(self.feature_shape_))

    def _output_shape(self) -> tuple[int, ...]:
        return self.feature_shape_

    # ---------------------------------------------------------------- fit / apply
    def fit(self, x: ArrayLike) -> Preprocessor:
        """Learn the statistics of ``x`` (N, *features), N >= 1; returns ``self``."""
        rows = _rows(x, f"{type(self).__name__}.fit")
        if len(rows) == 0:
            raise ValueError(f"{type(self).__name__}.fit: cannot fit an empty set (0 samples)")
        self._fit(rows.astype(np.float64))
        self.feature_shape_ = tuple(np.shape(x)[1:])
        self._prepare()
        return self

    def transform(self, x: ArrayLike) -> np.ndarray:
        """Apply the fitted statistics to ``x`` with the fitted feature shape; float32 out."""
        rows = self._input(x, "transform", self.feature_shape_ if self.is_fitted else None)
        return self._forward(rows).reshape((len(rows), *self._output_shape()))

    def inverse_transform(self, z: ArrayLike) -> np.ndarray:
        """Map transformed data back to the input space (lossy after dimension reduction)."""
        rows = self._input(z, "inverse_transform", self._output_shape() if self.is_fitted else None)
        return self._backward(rows).reshape((len(rows), *self.feature_shape_))

    def fit_transform(self, x: ArrayLike) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)

    def _input(self, x: ArrayLike, method: str, shape: tuple[int, ...] | None) -> np.ndarray:
        self._check_fitted(method)
        rows = _rows(x, f"{type(self).__name__}.{method}")
        expected = int(np.prod(shape))
        if rows.shape[1] != expected:
            raise ValueError(f"{type(self).__name__}.{method}: input has {rows.shape[1]} "
                             f"features per sample (shape {np.shape(x)[1:]}), but "
                             f"{expected} were expected (shape {shape})")
        return rows

    def _check_fitted(self, method: str) -> None:
        if not self.is_fitted:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(x_train) "
                               f"before {method}")

    @abstractmethod
    def _fit(self, x: np.ndarray) -> None:
        """Set the ``_arrays`` attributes from float64 rows (N, D)."""

    @abstractmethod
    def _forward(self, x: np.ndarray) -> np.ndarray:
        """The transform of float32 rows (N, D)."""

    @abstractmethod
    def _backward(self, z: np.ndarray) -> np.ndarray:
        """The inverse transform of float32 rows."""

    def _prepare(self) -> None:  # noqa: B027 -- an optional hook, empty by default
        """Derive working matrices from the fitted arrays (after fit and after a load)."""

    # ---------------------------------------------------------------- checkpoint state
    def state_dict(self) -> dict:
        """``{"type", "config", "feature_shape", "arrays"}``: JSON values and float32 arrays."""
        fitted = self.is_fitted
        return {"type": type(self).__name__, "config": self.get_config(),
                "feature_shape": list(self.feature_shape_) if fitted else None,
                "arrays": {name: getattr(self, name).copy() for name in self._arrays}
                if fitted else {}}

    def load_state_dict(self, state: dict) -> None:
        """Restore fitted statistics saved by :meth:`state_dict`; unchanged on error.

        Raises:
            ValueError: another type or configuration, missing arrays, wrong shapes, NaN/inf.
        """
        _check_header(state, type(self).__name__, self.get_config())
        if state["feature_shape"] is None:
            self.feature_shape_ = None
            return
        shape = tuple(int(d) for d in state["feature_shape"])
        arrays = _check_arrays(type(self).__name__, self._arrays, state["arrays"],
                               int(np.prod(shape)))
        for name, value in arrays.items():
            setattr(self, name, value)
        self.feature_shape_ = shape
        self._prepare()

    @classmethod
    def from_state_dict(cls, state: dict) -> Preprocessor:
        """Build the fitted preprocessor described by ``state`` (as :func:`from_state_dict`)."""
        obj = from_state_dict(state)
        if not isinstance(obj, cls):
            raise ValueError(f"the state describes a {type(obj).__name__}, not a {cls.__name__}")
        return obj

    @classmethod
    def _restore(cls, state: dict) -> Preprocessor:
        obj = cls(**state.get("config", {}))
        obj.load_state_dict(state)
        return obj

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def register(cls: type) -> type:
    """Make ``cls`` known to :func:`from_state_dict` by its class name."""
    _REGISTRY[cls.__name__] = cls
    return cls


def from_state_dict(state: dict) -> Any:
    """Rebuild a fitted preprocessor (or :class:`Pipeline`) from its ``state_dict()``."""
    if not isinstance(state, dict) or state.get("type") not in _REGISTRY:
        kind = state.get("type") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"unknown preprocessor type {kind!r}; known: {sorted(_REGISTRY)}")
    return _REGISTRY[state["type"]]._restore(state)


def _check_header(state: dict, kind: str, config: dict) -> None:
    missing = {"type", "config", "feature_shape", "arrays"} - set(state)
    if missing:
        raise ValueError(f"{kind} state is missing {sorted(missing)}")
    if state["type"] != kind:
        raise ValueError(f"state of a {state['type']} cannot be loaded into a {kind}")
    if dict(state["config"]) != config:
        raise ValueError(f"{kind} state was saved with config {state['config']}, this one has "
                         f"{config}")


def _check_arrays(kind: str, spec: dict[str, tuple[str, ...]], arrays: dict,
                  features: int) -> dict[str, np.ndarray]:
    """The arrays of ``spec`` as float32, checked: present, finite, consistent axis sizes."""
    sizes = {"D": features}
    out = {}
    for name, axes in spec.items():
        if name not in arrays:
            raise ValueError(f"{kind} state has no array {name!r}")
        value = np.array(arrays[name], dtype=np.float32)
        check_finite(value, f"{kind} state array {name!r}")
        if value.ndim != len(axes) or any(sizes.setdefault(a, n) != n
                                          for a, n in zip(axes, value.shape, strict=False)):
            raise ValueError(f"{kind} state array {name!r} has shape {value.shape}, expected "
                             f"axes {axes} with D={features} and consistent sizes {sizes}")
        out[name] = value
    return out
