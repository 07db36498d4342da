"""Strict JSON for the run folder: non-finite numbers become ``null``, NumPy values plain.

Python's ``json`` writes ``NaN`` and ``Infinity`` by default, which no strict
parser (JavaScript's ``JSON.parse``, ``jq``, Go, Rust) accepts. Everything
chainrule writes as JSON goes through :func:`dumps_json`, so every file in a
run folder parses with ``json.loads(text, parse_constant=...)`` raising on
constants, and a missing value reads as ``null`` everywhere.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

from chainrule.io.atomic import write_atomic


def jsonable(obj: Any, where: str = "") -> Any:
    """``obj`` as plain JSON values: NaN/inf -> None, NumPy scalars and arrays -> Python
    numbers and lists, tuples -> lists, paths -> strings.

    Raises:
        TypeError: a value JSON cannot hold; the message names its key path.
    """
    if isinstance(obj, (np.generic, np.ndarray)):
        obj = obj.tolist()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, Mapping):
        return {str(key): jsonable(value, f"{where}/{key}") for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, f"{where}/{i}") for i, v in enumerate(obj)]
    raise TypeError(f"cannot write {type(obj).__name__} as JSON at {where or 'the top level'}")


def dumps_json(obj: Any, indent: int | None = 2) -> str:
    """Strict JSON text of ``obj`` (see :func:`jsonable`); ``indent=None`` gives one line.
    Defaults: indent=2."""
    separators = (",", ": ") if indent is not None else (", ", ": ")
    return json.dumps(jsonable(obj), indent=indent, allow_nan=False, separators=separators)


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 2) -> None:
    """Write ``obj`` as strict JSON to ``path`` atomically (:func:`chainrule.io.write_atomic`).
    Defaults: indent=2."""
    write_atomic(path, dumps_json(obj, indent) + "\n")


def loads_json_strict(text: str) -> Any:
    """Parse JSON refusing ``NaN``/``Infinity`` (as a strict parser does)."""
    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)
