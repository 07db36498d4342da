"""Gradient transformations: the optax idea on flat NumPy buffers.

A transformation is a pair of pure functions, ``init(params) -> state`` and
``update(updates, state, params) -> (updates, state)``. ``updates`` and
``params`` are the 1-D float arrays of one flat parameter buffer; ``update``
may (and usually does) overwrite ``updates`` and the state's arrays in place
and returns the possibly new state (integer counters live in NamedTuples, so a
new tuple is returned when they change). The final updates are *added* to the
parameters: a learning-rate transform multiplies by ``-lr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Schedule = Callable[[int], float]
ScalarOrSchedule = float | Schedule
State = Any  # a NamedTuple of ndarrays and ints, or a tuple of such (chain)


class GradientTransformation(NamedTuple):
    """A transformation of gradients: ``init`` makes the state, ``update`` applies it.

    Attributes:
        init: ``init(params) -> state`` for the 1-D parameter array ``params``.
        update: ``update(updates, state, params) -> (updates, state)``; may work in place.
    """

    init: Callable[[np.ndarray], State]
    update: Callable[[np.ndarray, State, np.ndarray | None], tuple[np.ndarray, State]]


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


def value_at(x: ScalarOrSchedule, count: int) -> float:
    """``x(count)`` for a schedule, ``x`` itself for a constant."""
    return float(x(count)) if callable(x) else float(x)


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after another; the state is the tuple of their states.

    Example:
        >>> import numpy as np
        >>> from chainrule import optim
        >>> tx = optim.chain(optim.clip_by_value(1.0), optim.scale(-0.1))
        >>> state = tx.init(np.zeros(2, np.float32))
        >>> tx.update(np.array([3.0, -0.5], np.float32), state, None)[0].tolist()
        [-0.10000000149011612, 0.05000000074505806]
    """
    for i, t in enumerate(transforms):
        if not isinstance(t, GradientTransformation):
            raise TypeError(f"chain: argument {i} is a {type(t).__name__}, "
                            "expected a GradientTransformation (e.g. optim.scale(0.1))")

    def init(params: np.ndarray) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(updates: np.ndarray, state: tuple,
               params: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
        if len(state) != len(transforms):
            raise ValueError(f"chain: got {len(state)} states for {len(transforms)} "
                             "transforms; make sure you have called init first")
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformation(init, update)


def apply_updates(params: np.ndarray, updates: np.ndarray) -> None:
    """``params += updates`` in place (the last step of every optimizer)."""
    params += updates
