"""The sections of a search study's report (from ``search.json``): the study, the best
trial, the trial table linking each trial's own report, importances, and the plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from chainrule.viz.report.blocks import cards, image_file, link, section, table
from chainrule.viz.report.folder import Folder

REPORT_FILE = "report.html"


def _trial_link(folder: Folder, trial: Mapping[str, Any]) -> Any:
    """The trial's report when it has one (``chainrule report`` on its folder), else its
    folder."""
    run_dir = trial.get("run_dir")
    if not run_dir:
        return trial.get("number")
    report = PurePosixPath(str(run_dir)) / REPORT_FILE
    target = report if (folder.path / str(report)).is_file() else PurePosixPath(str(run_dir))
    return link(trial.get("number"), str(target))


def search_sections(folder: Folder) -> list[dict[str, Any] | None]:
    """Study summary, trials (linked), importances and plots of a search folder."""
    s = folder.get("search")
    if not isinstance(s, Mapping):
        return []
    trials = [t for t in s.get("trials") or [] if isinstance(t, Mapping)]
    states = {}
    for t in trials:
        states[t.get("state")] = states.get(t.get("state"), 0) + 1
    best = s.get("best") if isinstance(s.get("best"), Mapping) else None
    items = [("study", s.get("study")), ("metric", s.get("metric")),
             ("direction", s.get("direction")), ("trials", len(trials)),
             *((f"{k} trials", v) for k, v in states.items())]
    if best:
        items += [("best trial", best.get("number")), ("best value", best.get("value"))]
    params = list(dict.fromkeys(k for t in trials for k in (t.get("params") or {})))
    rows = [[_trial_link(folder, t), t.get("state"), t.get("value"), t.get("seconds"),
             *((t.get("params") or {}).get(p) for p in params)] for t in trials]
    classes = ["best" if best and t.get("number") == best.get("number") else ""
               for t in trials]
    importances = s.get("importances") or {}
    return [
        section("study", "Search", [cards(items)],
                "Each trial number links to that trial's report, or to its folder when it "
                "has none yet (`chainrule report` on the folder makes one)."),
        section("trials", "Trials", [table(["trial", "state", s.get("metric") or "value",
                                            "seconds", *params], rows, row_classes=classes)]),
        section("importances", "Hyperparameter importance",
                [table(["parameter", "importance"], sorted(importances.items(),
                                                            key=lambda kv: -kv[1]))]
                if isinstance(importances, Mapping) and importances else []),
        section("search-plots", "Search plots",
                [image_file(folder.path, p) for p in s.get("plots") or []]),
    ]
