"""Diagnose the run a config describes, before training it.

The run is built exactly as :func:`~chainrule.runs.train.train_run` builds it
(:func:`~chainrule.runs.setup.setup`: data, preprocessing, model, init,
optimizer, loss, regularisers), then :func:`chainrule.diagnose.diagnose` runs
the pre-training checks on copies. The resolved config, the results
(``diagnosis.json``) and the plots go to ``runs/<name>-diagnose``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from chainrule import io
from chainrule.config.loading import load_config, to_toml
from chainrule.config.schema import RunConfig
from chainrule.diagnose.subject import Subject
from chainrule.diagnose.suite import Diagnosis, diagnose
from chainrule.runs.folder import CONFIG_FILE, new_run_dir
from chainrule.runs.setup import setup


@dataclass
class DiagnoseRun:
    """What :func:`diagnose_run` produced."""

    diagnosis: Diagnosis
    run_dir: Path
    paths: dict[str, Path]
    seconds: float


def diagnose_run(config: RunConfig | str | Path, overrides: tuple[str, ...] = (), *,
                 runs_root: str | Path = "runs", lr_range_steps: int = 100) -> DiagnoseRun:
    """Diagnose the run a config describes; write the results into a new run directory.

    Args:
        config: a :class:`RunConfig`, the path of a TOML config, or a shipped config's name.
        overrides: ``key=value`` assignments, as ``chainrule train --set``.
        runs_root: folder of run directories. Defaults to ``"runs"``.
        lr_range_steps: steps of the learning-rate range test. Defaults to ``100``.
    """
    if not isinstance(config, RunConfig):
        config = load_config(config, overrides)
    started = time.perf_counter()
    s = setup(config)
    subject = Subject.from_trainer(s.trainer, s.splits.train, seed=config.train.seed)
    diagnosis = diagnose(subject, lr_range_steps=lr_range_steps,
                         batch_size=config.train.batch_size or 32)
    run_dir = new_run_dir(runs_root, f"{config.name}-diagnose")
    io.write_atomic(run_dir / CONFIG_FILE, to_toml(config))
    paths = diagnosis.write(run_dir)
    return DiagnoseRun(diagnosis, run_dir, paths, time.perf_counter() - started)
