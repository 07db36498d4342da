"""Validating a state dict against a model before anything is copied into it."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from chainrule.autograd.tensor import Tensor


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(ValueError):
    """A state dict does not fit the model; raised before any value is copied."""


def check_state_dict(targets: dict[str, np.ndarray], state_dict: dict[str, Any], strict: bool,
                     owner: str) -> tuple[dict[str, np.ndarray], IncompatibleKeys]:
    """The arrays to copy into ``targets`` (name -> destination array), after checking them all.

    Shapes must be equal and dtypes castable within their kind (float64 into
    float32 is fine, float into an integer buffer is not); with ``strict`` the
    keys must match exactly.

    Raises:
        StateDictError: listing every missing or unexpected key and every bad
            shape or dtype.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"load_state_dict expects a dict, got {type(state_dict).__name__}")
    missing = [k for k in targets if k not in state_dict]
    unexpected = [k for k in state_dict if k not in targets]
    problems = []
    if strict and missing:
        problems.append(f"missing keys: {missing}")
    if strict and unexpected:
        problems.append(f"unexpected keys: {unexpected}")
    values = {}
    for name, target in targets.items():
        if name not in state_dict:
            continue
        value = state_dict[name]
        arr = value.data if isinstance(value, Tensor) else np.asarray(value)
        if arr.shape != target.shape:
            problems.append(f"'{name}': shape {arr.shape} in the state dict, {target.shape} in "
                            "the model")
        elif arr.dtype.kind not in "biuf" or \
                not np.can_cast(arr.dtype, target.dtype, casting="same_kind"):
            problems.append(f"'{name}': dtype {arr.dtype} cannot be copied into {target.dtype}")
        else:
            values[name] = arr
    if problems:
        raise StateDictError(f"cannot load state dict into {owner} (nothing was changed): "
                             + "; ".join(problems))
    return values, IncompatibleKeys(missing, unexpected)
