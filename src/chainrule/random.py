"""The global random generator behind every random choice in chainrule.

Everything random (initialisation, dropout masks, shuffling, augmentation) draws
from a ``numpy.random.Generator``: the one passed explicitly, or the global one
that :func:`manual_seed` resets. Same seed, same bits.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the global generator to ``np.random.default_rng(seed)`` and return it."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The global generator (seeded by :func:`manual_seed`)."""
    return _generator


def resolve(generator: np.random.Generator | int | None) -> np.random.Generator:
    """Return ``generator`` itself, a new generator seeded with it, or the global one."""
    if generator is None:
        return _generator
    if isinstance(generator, np.random.Generator):
        return generator
    return np.random.default_rng(generator)


def get_state() -> dict:
    """The global generator's bit-generator state (JSON-serialisable), for checkpoints."""
    return _generator.bit_generator.state


def set_state(state: dict) -> None:
    """Restore the global generator from :func:`get_state` output."""
    _generator.bit_generator.state = state
