"""Pipeline: preprocessors applied one after the other, fitted and saved together."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from chainrule.data.preprocess.base import Preprocessor, from_state_dict, register


@register
class Pipeline:
    """Chain preprocessors: ``fit`` fits each on the output of the previous ones.

    Args:
        steps: the preprocessors, applied in order (at least one).

    Example:
        >>> from chainrule.data.preprocess import PCA, Standardize
        >>> pipe = Pipeline([Standardize(), PCA(n_components=2)])
        >>> pipe.fit_transform(np.random.default_rng(0).normal(size=(50, 5))).shape
        (50, 2)
    """

    def __init__(self, steps: Sequence[Preprocessor]):
        steps = list(steps)
        if not steps:
            raise ValueError("Pipeline needs at least one step")
        for i, step in enumerate(steps):
            if not isinstance(step, (Preprocessor, Pipeline)):
                raise TypeError(f"Pipeline step {i} must be a preprocessor, got "
                                f"{type(step).__name__}")
        self.steps = steps

    @property
    def is_fitted(self) -> bool:
        return all(step.is_fitted for step in self.steps)

    def fit(self, x: ArrayLike) -> Pipeline:
        """Fit every step on the training data transformed by the steps before it."""
        for step in self.steps[:-1]:
            x = step.fit_transform(x)
        self.steps[-1].fit(x)
        return self

    def transform(self, x: ArrayLike) -> np.ndarray:
        """Apply every step in order."""
        for step in self.steps:
            x = step.transform(x)
        return x

    def fit_transform(self, x: ArrayLike) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``, without transforming twice."""
        for step in self.steps:
            x = step.fit_transform(x)
        return x

    def inverse_transform(self, z: ArrayLike) -> np.ndarray:
        """Undo every step, last first."""
        for step in reversed(self.steps):
            z = step.inverse_transform(z)
        return z

    def state_dict(self) -> dict:
        """``{"type": "Pipeline", "config": {}, "steps": {"0": state, "1": state, ...}}``."""
        return {"type": "Pipeline", "config": {},
                "steps": {str(i): step.state_dict() for i, step in enumerate(self.steps)}}

    def load_state_dict(self, state: dict) -> None:
        """Restore every step; the state must hold as many steps of the same types."""
        rebuilt = self._restore(state).steps
        if len(rebuilt) != len(self.steps):
            raise ValueError(f"Pipeline state has {len(rebuilt)} steps, this pipeline has "
                             f"{len(self.steps)}")
        for i, (old, new) in enumerate(zip(self.steps, rebuilt, strict=True)):
            if type(old) is not type(new):
                raise ValueError(f"Pipeline step {i} is a {type(old).__name__}, the state holds "
                                 f"a {type(new).__name__}")
        self.steps = rebuilt

    @classmethod
    def from_state_dict(cls, state: dict) -> Pipeline:
        """Rebuild a fitted pipeline from :meth:`state_dict` output."""
        return cls._restore(state)

    @classmethod
    def _restore(cls, state: dict) -> Pipeline:
        steps = state.get("steps") if state.get("type") == "Pipeline" else None
        if not isinstance(steps, dict) or not all(str(k).isdigit() for k in steps):
            raise ValueError(f"not a Pipeline state (type {state.get('type')!r} with steps "
                             f"keyed '0', '1', ...)")
        return cls([from_state_dict(steps[key]) for key in sorted(steps, key=int)])

    def __repr__(self) -> str:
        return f"Pipeline([{', '.join(map(repr, self.steps))}])"
