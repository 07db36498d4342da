"""Assemble and render a report: header, the sections that have data, one HTML file.

The HTML is rendered by Jinja2 with autoescaping on, from the template
``report.html.j2`` shipped in this package: every string from a user (run
name, config text, class and column names, paths) is escaped, and a
Content-Security-Policy allowing no script and only embedded ``data:`` images
means that nothing in the file can run or load from the network even if it
tried. Images are PNG (or SVG) as base64 ``data:`` URIs: the file is whole on
its own.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from chainrule.viz.report import run_sections as rs
from chainrule.viz.report.folder import Folder, read_folder
from chainrule.viz.report.search_sections import REPORT_FILE, search_sections

TEMPLATE = "report.html.j2"


def machine() -> dict[str, Any]:
    """Where this process runs: host name, OS, CPU, cores, Python and NumPy versions."""
    import os

    import numpy

    return {"host": platform.node(), "os": f"{platform.system()} {platform.release()}",
            "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "numpy": numpy.__version__}


def _status(folder: Folder) -> str:
    if folder.get("search") is not None:
        return "search"
    if folder.get("results") is not None:
        return "finished"
    if folder.epochs or folder.steps:
        return "training or interrupted (no results.json yet)"
    if folder.get("diagnosis") is not None:
        return "diagnosed before training"
    return "not started"


def header(folder: Folder, version: str) -> dict[str, Any]:
    """Run name, status, times, machine and chainrule version."""
    recorded = (folder.get("results") or {}).get("machine")
    where = recorded if isinstance(recorded, Mapping) else machine()
    when = datetime.now(UTC)
    return {"name": folder.name, "path": str(folder.path), "status": _status(folder),
            "started": _time(folder.started), "updated": _time(folder.updated),
            "made": _time(when), "version": version,
            "machine": ", ".join(f"{k} {v}" for k, v in where.items()),
            "machine_source": "of the run" if isinstance(recorded, Mapping) else
            "making this report"}


def _time(t: datetime | None) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M:%S UTC")


def sections(folder: Folder, extras: Mapping[str, Any], smoothing: float = 0.6
             ) -> list[dict[str, Any]]:
    """Every section that has data, in reading order."""
    if folder.get("search") is not None:
        found = [*search_sections(folder), rs.config_section(folder)]
    else:
        found = [rs.summary_section(folder, extras), rs.curves_section(folder, smoothing),
                 rs.diagnosis_section(folder), rs.monitor_section(folder),
                 rs.model_section(extras), rs.evaluation_section(extras),
                 rs.explain_section(folder), rs.config_section(folder)]
    found.append(rs.problems_section(folder))
    return [s for s in found if s is not None]


def render(head: Mapping[str, Any], found: list[dict[str, Any]]) -> str:
    """The HTML text of a report (Jinja2, autoescaped)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    source = resources.files("chainrule.viz.report").joinpath(TEMPLATE).read_text("utf-8")
    return env.from_string(source).render(head=head, sections=found)


def build_report(path: str | Path, extras: Mapping[str, Any] | None = None, *,
                 version: str = "unknown", smoothing: float = 0.6) -> str:
    """The report of the run or search folder ``path`` as one HTML string.

    Args:
        path: a run folder (``config.toml``, ``metrics.jsonl`` ...) or a search folder
            (``search.json``); see :mod:`chainrule.viz.report.folder`.
        extras: model-derived data (network, predictions ...); see
            :mod:`chainrule.viz.report.run_sections`. Defaults to none.
        version: the chainrule version shown in the header.
        smoothing: EMA smoothing of the per-step loss, in [0, 1). Defaults to ``0.6``.
    """
    folder = read_folder(path)
    return render(header(folder, version), sections(folder, extras or {}, smoothing))


def write_report(path: str | Path, extras: Mapping[str, Any] | None = None, *,
                 version: str = "unknown", smoothing: float = 0.6) -> Path:
    """Write ``<path>/report.html`` atomically (see :func:`build_report`); returns its path."""
    from chainrule.io import write_atomic

    html = build_report(path, extras, version=version, smoothing=smoothing)
    out = Path(path) / REPORT_FILE
    write_atomic(out, html)
    return out
