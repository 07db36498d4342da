"""What every check returns: a verdict, the measured figures, the expected range, advice.

A verdict is ``"pass"`` (healthy), ``"warn"`` (works, but look at it) or
``"fail"`` (a bug or a setting that will not train). Checks grade a measured
number against two nested ranges with :func:`grade` (or :func:`grade_log` on a
log scale, for quantities such as learning rates and update/weight ratios that
are judged by their order of magnitude).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from chainrule.io.jsonio import jsonable

Verdict = Literal["pass", "warn", "fail"]
VERDICTS: tuple[Verdict, ...] = ("pass", "warn", "fail")


@dataclass
class CheckResult:
    """The outcome of one check.

    Attributes:
        name: short name of the check (``"initial loss"``).
        verdict: ``"pass"``, ``"warn"`` or ``"fail"``.
        measured: the measured figures by name (numbers or short strings).
        expected: the healthy range, in words (``"about log C = 2.303"``).
        advice: one line of plain advice: what it means and what to do.
        detail: optional data behind the figures (curves, per-layer values) for plots;
            arrays are allowed and become lists in :meth:`to_dict`.

    Example:
        >>> r = CheckResult("initial loss", "pass", {"loss": 2.31}, "about 2.303", "fine")
        >>> r.ok, r.summary()
        (True, 'loss 2.31')
    """

    name: str
    verdict: Verdict
    measured: dict[str, Any]
    expected: str
    advice: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"CheckResult {self.name!r}: verdict must be one of {VERDICTS}, "
                             f"got {self.verdict!r}")

    @property
    def ok(self) -> bool:
        """True unless the verdict is ``"fail"``."""
        return self.verdict != "fail"

    def summary(self) -> str:
        """The measured figures as one short line: ``"loss 2.31, log C 2.3"``."""
        return ", ".join(f"{k} {format_value(v)}" for k, v in self.measured.items())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: arrays become lists, NaN and inf become strings."""
        return {"name": self.name, "verdict": self.verdict, "measured": jsonable(self.measured),
                "expected": self.expected, "advice": self.advice,
                "detail": jsonable(self.detail)}


def worst(results: Iterable[CheckResult]) -> Verdict:
    """The worst verdict among ``results`` (``"pass"`` when there are none)."""
    rank = max((VERDICTS.index(r.verdict) for r in results), default=0)
    return VERDICTS[rank]


def combine(*verdicts: Verdict) -> Verdict:
    """The worst of ``verdicts``."""
    return VERDICTS[max(VERDICTS.index(v) for v in verdicts)]


def grade(value: float, ok: tuple[float, float], tolerable: tuple[float, float]) -> Verdict:
    """``"pass"`` inside ``ok``, ``"warn"`` inside ``tolerable``, else ``"fail"`` (NaN fails).

    Both ranges are closed intervals; ``tolerable`` should contain ``ok``.
    """
    if not math.isfinite(value):
        return "fail"
    if ok[0] <= value <= ok[1]:
        return "pass"
    if tolerable[0] <= value <= tolerable[1]:
        return "warn"
    return "fail"


def grade_log(value: float, ok: tuple[float, float],
              tolerable: tuple[float, float]) -> Verdict:
    """:func:`grade` for positive quantities judged by order of magnitude (0 and NaN fail)."""
    if not value > 0:
        return "fail"
    return grade(value, ok, tolerable)


def format_value(value: Any) -> str:
    """Numbers with 3 significant digits (``2.3``, ``1.2e-03``), everything else as ``str``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return str(value)
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    if v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e4):
        return f"{v:.2e}"
    return f"{v:.3g}"
