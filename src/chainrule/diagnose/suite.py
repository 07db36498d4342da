"""All pre-training checks in the decks' order, and the diagnosis they make up.

``diagnose(subject)`` runs: initial loss, gradient check, overfitting a small
sample, the learning-rate range test, then the per-layer checks (dead units,
saturation, activation scale, gradient flow, weight spectra, update/weight
ratio). Each works on copies; the subject's model and optimizer are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainrule import io
from chainrule.diagnose.checks import CheckResult, Verdict, worst
from chainrule.diagnose.gradcheck import check_gradients
from chainrule.diagnose.initial_loss import check_initial_loss
from chainrule.diagnose.layer_checks import layer_checks, layer_statistics
from chainrule.diagnose.lr_range import check_learning_rate
from chainrule.diagnose.overfit import check_overfit
from chainrule.diagnose.report import (
    plot_layers,
    plot_lr_range,
    plot_spectra,
    verdict_table,
)
from chainrule.diagnose.statistics import Spectrum, Statistics, spectra
from chainrule.diagnose.subject import Subject

RESULTS_FILE = "diagnosis.json"


@dataclass
class Diagnosis:
    """The results of :func:`diagnose`, with the statistics behind the plots."""

    results: list[CheckResult]
    statistics: Statistics | None = None
    spectra: list[Spectrum] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """The worst verdict."""
        return worst(self.results)

    @property
    def failed(self) -> list[CheckResult]:
        """The checks that failed."""
        return [r for r in self.results if r.verdict == "fail"]

    def __getitem__(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no check named {name!r}; the checks are {[r.name for r in self.results]}")

    def table(self, title: str = "diagnosis"):
        """The rich table of verdicts."""
        return verdict_table(self.results, title)

    def to_dict(self) -> dict[str, Any]:
        """Verdict, results, statistics and spectra (JSON-ready after ``jsonable``)."""
        return {"verdict": self.verdict, "results": [r.to_dict() for r in self.results],
                "statistics": self.statistics.to_dict() if self.statistics else None,
                "spectra": [{"name": s.name, "shape": s.shape,
                             "singular_values": s.singular_values, "gain": s.gain}
                            for s in self.spectra]}

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write ``diagnosis.json`` and the PNG plots into ``directory``; returns the paths."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        io.write_json(directory / RESULTS_FILE, self.to_dict())
        paths = {"json": directory / RESULTS_FILE}
        lr = next((r for r in self.results if r.detail.get("lrs")), None)
        if lr is not None:
            paths["lr_range"] = plot_lr_range(lr.detail, directory / "lr_range.png")
        if self.statistics is not None and self.statistics.activations:
            paths["layers"] = plot_layers(self.statistics, directory / "layers.png")
        if self.spectra:
            paths["spectra"] = plot_spectra(self.spectra, directory / "spectra.png")
        return paths


def diagnose(subject: Subject, gradcheck: bool = True, overfit: bool = True,
             lr_range: bool = True, lr_range_steps: int = 100, batch_size: int = 32
             ) -> Diagnosis:
    """Run the pre-training checks on ``subject`` (see the module docstring for the order).

    Args:
        subject: the model, loss, data and optimizer to examine.
        gradcheck: run the float64 gradient check. Defaults to ``True``.
        overfit: try to memorise 20 samples. Defaults to ``True``.
        lr_range: run the learning-rate range test. Defaults to ``True``.
        lr_range_steps: steps of the range test. Defaults to ``100``.
        batch_size: minibatch size of the range test and the update ratios.
            Defaults to ``32``.

    Checks that train (overfit, range test, update ratios) need ``subject.optimizer``
    and are skipped without one.
    """
    results = [check_initial_loss(subject)]
    if gradcheck:
        results.append(check_gradients(subject))
    if subject.optimizer is not None:
        if overfit:
            results.append(check_overfit(subject))
        if lr_range:
            results.append(check_learning_rate(subject, steps=lr_range_steps,
                                               batch_size=batch_size))
    stats = layer_statistics(subject)
    found = spectra(subject.model)
    results += layer_checks(subject, stats, found, batch_size=batch_size)
    return Diagnosis(results, stats, found)
