"""Transformation states as nested dicts of ndarrays and JSON scalars, and back.

The checkpoint code stores the arrays in safetensors and everything else in
JSON, so a saved state may hold only dicts (string keys), ndarrays, and
``bool``/``int``/``float``/``str``/``None``. ``from_dict`` rebuilds a state
from such a dict against a template (the freshly initialised state), checking
every key, shape and type first; it raises before anything is changed. Also
here: optimizer options to and from JSON, and the layout of a state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SCALARS = (bool, int, float, str, type(None))


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def to_dict(state: Any) -> Any:
    """A NamedTuple becomes ``{field: ...}``, a tuple ``{"0": ...}``, an array a copy."""
    if _is_namedtuple(state):
        return {f: to_dict(v) for f, v in zip(state._fields, state, strict=True)}
    if isinstance(state, tuple):
        return {str(i): to_dict(v) for i, v in enumerate(state)}
    if isinstance(state, np.ndarray):
        return state.copy()
    if isinstance(state, np.generic):
        return state.item()
    if isinstance(state, _SCALARS):
        return state
    raise TypeError(f"optimizer state holds a {type(state).__name__}, which a checkpoint "
                    "cannot store (only arrays and JSON scalars)")


def arrays(state: Any) -> list[np.ndarray]:
    """Every ndarray inside a state (NamedTuples and tuples walked), the arrays themselves."""
    if isinstance(state, tuple):
        return [a for s in state for a in arrays(s)]
    return [state] if isinstance(state, np.ndarray) else []


def from_dict(template: Any, data: Any, where: str) -> Any:
    """Rebuild a state shaped like ``template`` from ``data``; ``where`` names it in errors."""
    if _is_namedtuple(template) or isinstance(template, tuple):
        keys = list(template._fields) if _is_namedtuple(template) else \
            [str(i) for i in range(len(template))]
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected a dict with keys {keys}, got "
                             f"{type(data).__name__}")
        if set(data) != set(keys):
            missing, extra = sorted(set(keys) - set(data)), sorted(set(data) - set(keys))
            raise ValueError(f"{where}: keys do not match the optimizer's state "
                             f"(missing {missing}, unexpected {extra})")
        values = [from_dict(t, data[k], f"{where}[{k!r}]")
                  for t, k in zip(template, keys, strict=True)]
        return type(template)(*values) if _is_namedtuple(template) else tuple(values)
    if isinstance(template, np.ndarray):
        arr = np.asarray(data) if isinstance(data, np.ndarray) else None
        if arr is None or arr.shape != template.shape or arr.dtype != template.dtype:
            got = f"array {arr.shape} {arr.dtype}" if arr is not None else type(data).__name__
            raise ValueError(f"{where}: expected an array of shape {template.shape} and "
                             f"dtype {template.dtype}, got {got}")
        return np.array(arr, copy=True, order="C")
    if isinstance(template, bool):
        if not isinstance(data, (bool, np.bool_)):
            raise ValueError(f"{where}: expected a bool, got {data!r}")
        return bool(data)
    if isinstance(template, int):
        if isinstance(data, (bool, np.bool_)) or not isinstance(data, (int, np.integer)) \
                or data < 0:
            raise ValueError(f"{where}: expected a non-negative int, got {data!r}")
        return int(data)
    if isinstance(template, float):
        if isinstance(data, (bool, np.bool_)) or not isinstance(data, (int, float, np.number)):
            raise ValueError(f"{where}: expected a number, got {data!r}")
        return float(data)
    raise TypeError(f"{where}: cannot restore a state entry of type {type(template).__name__}")


def layout(state: Any, numel: int) -> Any:
    """The structure of a state, each array reduced to 'per parameter' or 'unused'."""
    if isinstance(state, tuple):
        return (type(state).__name__, tuple(layout(s, numel) for s in state))
    if isinstance(state, np.ndarray):
        return "full" if state.size == numel else "empty" if state.size == 0 else state.shape
    return type(state).__name__


def option_to_json(key: str, value: Any) -> Any:
    """An optimizer option as JSON (tuples become lists); raises for anything else."""
    if isinstance(value, tuple):
        return [option_to_json(key, v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"state_dict: option {key!r} = {value!r} is not JSON-serialisable")


def option_from_json(default: Any, value: Any) -> Any:
    """JSON gives lists where the option is a tuple (``betas``)."""
    return tuple(value) if isinstance(default, tuple) and isinstance(value, list) else value
