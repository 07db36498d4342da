"""A run directory: the names of its files and a fresh directory per run.

``runs/<name>/`` (``-2``, ``-3`` ... when taken) holds:

- ``config.toml``: the resolved config (every default written out);
- ``metrics.jsonl`` and ``metrics.csv``: one row per epoch (and per logged step);
- ``checkpoints/ckpt-<step>.safetensors``: what a resume needs;
- ``model.safetensors``: the weights and the fitted preprocessing, with metadata
  ``{"info": {"input_shape": [...], "raw_shape": [...], "out_features": n},
  "test": {...}}`` (``raw_shape``: a sample before preprocessing);
- ``results.json``: ``{"test": {metric: value} | null, "seconds": s, "epochs_run": n,
  "final": {log key: last value}}``;
- ``curves.png``: the learning curves (written by ``chainrule train``).

A diagnosis goes to ``runs/<name>-diagnose/``: ``config.toml``, ``diagnosis.json``
and its plots.
"""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = "config.toml"
MODEL_FILE = "model.safetensors"
RESULTS_FILE = "results.json"
CURVES_FILE = "curves.png"


def unique_run_dir(root: str | Path, name: str) -> Path:
    """``root/name``, or ``root/name-2``, ``-3`` ... when taken."""
    root = Path(root)
    candidate, n = root / name, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{name}-{n}"
    return candidate


def new_run_dir(root: str | Path, name: str) -> Path:
    """Create and return a fresh run directory under ``root`` (see :func:`unique_run_dir`)."""
    run_dir = unique_run_dir(root, name)
    run_dir.mkdir(parents=True)
    return run_dir
