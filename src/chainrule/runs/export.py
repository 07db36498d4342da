"""Export a trained run's model as an ONNX graph (``chainrule export RUN_DIR model.onnx``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.runs.train import load_run


def export_run(run_dir: str | Path, path: str | Path) -> Path:
    """Write the run's model to ``path`` in ONNX (see :func:`chainrule.io.export_onnx`).

    The graph takes samples shaped as the model does (``input_shape`` of the run,
    after its preprocessing): a run with ``preprocess`` steps expects inputs that
    went through them. Requires the ``onnx`` extra.
    """
    from chainrule.io.onnx import export_onnx

    loaded = load_run(run_dir)
    path = Path(path)
    example = np.zeros((1, *loaded.input_shape), dtype=np.float32)
    export_onnx(loaded.model, example, path)
    return path
