"""Snapshots of model, optimizer, global generator and files, to assert a failure changed
nothing (the reliability standard: bad input leaves everything as it was)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import random as cr_random


def _same(a: Any, b: Any, where: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"keys differ at {where}"
        for k in a:
            _same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"length differs at {where}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}/{i}")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=f"changed at {where}")
    else:
        assert a == b or (a != a and b != b), f"changed at {where}: {a!r} -> {b!r}"


class Snapshot:
    """What ``model``, ``optimizer`` (either may be None), the global generator (unless
    ``rng=False``) and the files under ``folders`` hold now; :meth:`check` asserts they
    still hold it."""

    def __init__(self, model: Any = None, optimizer: Any = None, *folders: Path,
                 rng: bool = True):
        self.model, self.optimizer, self.folders, self.rng = model, optimizer, folders, rng
        self.state = self._take()

    def _take(self) -> dict[str, Any]:
        files = {}
        for folder in self.folders:
            if Path(folder).exists():
                files.update({str(p): p.read_bytes() for p in sorted(Path(folder).rglob("*"))
                              if p.is_file()})
        return {"model": None if self.model is None else copy.deepcopy(self.model.state_dict()),
                "optimizer": None if self.optimizer is None
                else copy.deepcopy(self.optimizer.state_dict()),
                "rng": cr_random.get_state() if self.rng else None, "files": files}

    def check(self) -> None:
        _same(self.state, self._take())
