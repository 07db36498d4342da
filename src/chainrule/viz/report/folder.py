"""Reading a run folder (or a search folder) into plain data for the report.

Everything is read from files, so a report can be made of a run that is still
training (it shows what exists so far) and viz needs nothing from train or
diagnose. Files and what is taken from them (each optional):

- ``config.toml``: the resolved config, shown as text and parsed for the run's
  name and its planned ``[train] epochs``;
- ``metrics.jsonl``: ``{"kind": "epoch"|"step", "epoch", "step", log keys...}`` per
  line (a half-written last line is skipped);
- ``results.json``: ``{"test": {metric: value}|null, "seconds", "epochs_run",
  "final": {...}, "machine": {...}}`` (written when training finished);
- ``diagnosis.json``: ``{"verdict", "results": [{"name", "verdict", "measured",
  "expected", "advice", "detail"}], "statistics", "spectra"}``;
- ``monitor.json``: ``{"every", "records": [...]}`` (see :mod:`chainrule.viz.monitor`);
- ``explain.json``: ``{"plots": [paths relative to the run folder], ...}`` (other keys
  are shown as tables when they are lists of flat records or flat mappings);
- ``search.json`` (a search folder): ``{"study", "direction", "metric", "best", "trials":
  [{"number", "state", "params", "value", "seconds", "run_dir"}], "importances",
  "plots": [...]}``.

A file that exists but cannot be parsed is reported in ``problems`` instead of
stopping the report.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

JSON_FILES = ("results", "diagnosis", "monitor", "explain", "search", "evaluation")


@dataclass
class Folder:
    """What a run or search folder holds, as plain data (``None`` where a file is missing)."""

    path: Path
    config_text: str | None = None
    config: dict[str, Any] | None = None
    epochs: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    started: datetime | None = None
    updated: datetime | None = None

    def get(self, name: str) -> Any:
        """The parsed content of ``<name>.json``, or ``None``."""
        return self.files.get(name)

    @property
    def name(self) -> str:
        """The config's ``name`` (else the folder's name)."""
        return str((self.config or {}).get("name") or self.path.name)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _json(path: Path, problems: list[str]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"{path.name} could not be read: {exc}")
        return None


def _metrics(path: Path, folder: Folder) -> None:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a crash can leave a half-written last line
        if isinstance(record, dict):
            (folder.steps if record.get("kind") == "step" else folder.epochs).append(record)


def read_folder(path: str | Path) -> Folder:
    """Read every file the report uses from a run or search folder (see the module docstring).

    Raises:
        FileNotFoundError: ``path`` is not a folder, or holds none of those files.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{str(path)!r} is not a folder")
    folder = Folder(path)
    config = path / "config.toml"
    if config.exists():
        folder.config_text = config.read_text(encoding="utf-8", errors="replace")
        try:
            folder.config = tomllib.loads(folder.config_text)
        except tomllib.TOMLDecodeError as exc:
            folder.problems.append(f"config.toml could not be parsed: {exc}")
    if (path / "metrics.jsonl").exists():
        _metrics(path / "metrics.jsonl", folder)
    for name in JSON_FILES:
        if (path / f"{name}.json").exists():
            folder.files[name] = _json(path / f"{name}.json", folder.problems)
    found = [p for p in (config, path / "metrics.jsonl",
                         *(path / f"{n}.json" for n in JSON_FILES)) if p.exists()]
    if not found:
        raise FileNotFoundError(f"{str(path)!r} is neither a run folder nor a search "
                                "folder (no config.toml, metrics.jsonl, results.json, "
                                "diagnosis.json or search.json)")
    times = [_mtime(p) for p in found]
    folder.started, folder.updated = min(times), max(times)
    return folder


def epoch_logs(folder: Folder) -> tuple[list[int], dict[str, list[float]]]:
    """``(epochs, {key: values})`` from the epoch rows of ``metrics.jsonl`` (a resumed run's
    repeated epochs keep their last row); missing values are NaN."""
    rows = {int(r.get("epoch", i)): r for i, r in enumerate(folder.epochs)}
    ordered = [rows[e] for e in sorted(rows)]
    keys = [k for k in dict.fromkeys(k for r in ordered for k in r)
            if k not in ("kind", "epoch", "step")]
    return sorted(rows), {k: [_number(r.get(k)) for r in ordered] for k in keys}


def step_logs(folder: Folder) -> dict[str, list[float]]:
    """``{"step": [...], "loss": [...], ...}`` from the step rows of ``metrics.jsonl``."""
    rows = {int(r.get("step", i)): r for i, r in enumerate(folder.steps)}
    ordered = [rows[s] for s in sorted(rows)]
    keys = [k for k in dict.fromkeys(k for r in ordered for k in r) if k not in ("kind", "epoch")]
    return {k: [_number(r.get(k)) for r in ordered] for k in keys}


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else float("nan")
