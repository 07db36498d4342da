"""Averages of the weights along the optimisation path: Polyak (running mean) and EMA.

An averager keeps its own copy of every parameter and folds the current
values in at each ``update()`` (call it after ``opt.step()``). For evaluation
the average is swapped into the model and back (``with avg.swap_into(): ...``),
or copied for good with ``copy_to``. The numbers are those of
``torch.optim.swa_utils.AveragedModel`` (default running mean, and
``get_ema_multi_avg_fn``): the first update copies the weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.optim.transforms import lerp_


def _tensors(params: Iterable[Tensor], who: str) -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    out = list(params)
    if not out:
        raise ValueError(f"{who}: got an empty parameter list")
    for i, p in enumerate(out):
        if not isinstance(p, Tensor) or p.data.dtype.kind != "f":
            raise TypeError(f"{who}: parameter {i} must be a floating Tensor, got "
                            f"{type(p).__name__}")
    return out


class _WeightAverage:
    """Shared machinery: the copies, swapping, state dicts. Subclasses define ``_fold``."""

    def __init__(self, params: Iterable[Tensor]):
        self.params = _tensors(params, type(self).__name__)
        self.average = [np.array(p.data, copy=True) for p in self.params]
        self.n_averaged = 0  # iterates folded into the average
        self.count = 0  # update() calls
        self._swapped: list[Tensor] | None = None

    def _fold(self, avg: np.ndarray, value: np.ndarray) -> None:
        raise NotImplementedError

    def _wants(self) -> bool:
        return True

    def update(self) -> None:
        """Fold the parameters' current values into the average."""
        if self._swapped is not None:
            raise RuntimeError(f"{type(self).__name__}.update: the average is swapped into the "
                               "model; restore() first")
        self.count += 1
        if not self._wants():
            return
        for avg, p in zip(self.average, self.params, strict=True):
            if self.n_averaged == 0:
                avg[...] = p.data
            else:
                self._fold(avg, p.data)
        self.n_averaged += 1

    def _targets(self, params: Iterable[Tensor] | None) -> list[Tensor]:
        targets = self.params if params is None else _tensors(params, type(self).__name__)
        shapes = [p.data.shape for p in targets]
        if shapes != [a.shape for a in self.average]:
            raise ValueError(f"{type(self).__name__}: parameter shapes {shapes} do not match "
                             f"the averaged ones {[a.shape for a in self.average]}")
        return targets

    def swap(self, params: Iterable[Tensor] | None = None) -> None:
        """Exchange the average and the parameters' values in place (``restore`` undoes it)."""
        if self._swapped is not None:
            raise RuntimeError(f"{type(self).__name__}.swap: already swapped; restore() first")
        if self.n_averaged == 0:
            raise RuntimeError(f"{type(self).__name__}.swap: nothing averaged yet; call update() "
                               "after optimizer steps")
        targets = self._targets(params)
        for avg, p in zip(self.average, targets, strict=True):
            held = p.data.copy()
            p.data[...] = avg
            avg[...] = held
        self._swapped = targets

    def restore(self) -> None:
        """Put the model's own values back after :meth:`swap`."""
        if self._swapped is None:
            raise RuntimeError(f"{type(self).__name__}.restore: nothing is swapped")
        for avg, p in zip(self.average, self._swapped, strict=True):
            held = p.data.copy()
            p.data[...] = avg
            avg[...] = held
        self._swapped = None

    @contextmanager
    def swap_into(self, params: Iterable[Tensor] | None = None) -> Iterator[None]:
        """Evaluate with the averaged weights: swap them in, and back out on exit.

        Args:
            params: where to swap (same shapes). Defaults to the averaged parameters.
        """
        self.swap(params)
        try:
            yield
        finally:
            self.restore()

    def copy_to(self, params: Iterable[Tensor] | None = None) -> None:
        """Overwrite ``params`` (default: the averaged ones) with the average, for good."""
        if self._swapped is not None:
            raise RuntimeError(f"{type(self).__name__}.copy_to: restore() first")
        for avg, p in zip(self.average, self._targets(params), strict=True):
            p.data[...] = avg

    def state_dict(self) -> dict[str, Any]:
        """``{"average": {"0": array, ...}, "n_averaged", "count"}`` plus the settings."""
        if self._swapped is not None:
            raise RuntimeError(f"{type(self).__name__}.state_dict: restore() first")
        return {"average": {str(i): a.copy() for i, a in enumerate(self.average)},
                "n_averaged": self.n_averaged, "count": self.count, **self._settings()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output; shapes and keys are checked before any change."""
        expected = {"average", "n_averaged", "count", *self._settings()}
        name = type(self).__name__
        if not isinstance(state, dict) or set(state) != expected:
            raise ValueError(f"{name}.load_state_dict: expected the keys {sorted(expected)}")
        saved = state["average"]
        keys = [str(i) for i in range(len(self.average))]
        if not isinstance(saved, dict) or sorted(saved) != sorted(keys):
            raise ValueError(f"{name}.load_state_dict: expected {len(keys)} averaged arrays")
        for k, a in zip(keys, self.average, strict=True):
            s = saved[k]
            if not isinstance(s, np.ndarray) or s.shape != a.shape or s.dtype != a.dtype:
                raise ValueError(f"{name}.load_state_dict: average {k} should be {a.shape} "
                                 f"{a.dtype}")
        for k, a in zip(keys, self.average, strict=True):
            a[...] = saved[k]
        self.n_averaged, self.count = int(state["n_averaged"]), int(state["count"])
        for k in self._settings():
            setattr(self, k, state[k])

    def _settings(self) -> dict[str, Any]:
        return {}


class Polyak(_WeightAverage):
    """Polyak-Ruppert averaging: the running mean of the iterates from step ``start`` on.

    ``avg <- avg + (p - avg) / (n + 1)`` for the n-th averaged iterate (as
    stochastic weight averaging, ``AveragedModel``'s default).

    Args:
        params: the tensors to average (e.g. ``model.parameters()``).
        start: ``update()`` calls to skip before averaging begins. Defaults to ``0``.
    """

    def __init__(self, params: Iterable[Tensor], start: int = 0):
        if not isinstance(start, int) or start < 0:
            raise ValueError(f"Polyak: start must be a non-negative int, got {start!r}")
        super().__init__(params)
        self.start = start

    def _wants(self) -> bool:
        return self.count > self.start

    def _fold(self, avg: np.ndarray, value: np.ndarray) -> None:
        step = value - avg
        step /= self.n_averaged + 1
        avg += step

    def _settings(self) -> dict[str, Any]:
        return {"start": self.start}


class EMA(_WeightAverage):
    """Exponential moving average of the weights: ``avg <- decay * avg + (1 - decay) * p``.

    Args:
        params: the tensors to average.
        decay: the weight of the past, in [0, 1]. Defaults to ``0.999``.
    """

    def __init__(self, params: Iterable[Tensor], decay: float = 0.999):
        if not isinstance(decay, (int, float)) or not 0.0 <= decay <= 1.0:
            raise ValueError(f"Invalid decay value {decay!r} provided. Please provide a value "
                             "in [0,1] range.")
        super().__init__(params)
        self.decay = float(decay)

    def _fold(self, avg: np.ndarray, value: np.ndarray) -> None:
        lerp_(avg, value, 1.0 - self.decay)

    def _settings(self) -> dict[str, Any]:
        return {"decay": self.decay}
