"""Apply a run's preprocessing and model to raw inputs (N samples in a .npy file, or a
CSV/parquet table for a run trained on one); print the class predictions (or regression
outputs) one sample per line, or save them (.npy, or .csv with a header).

examples:
  chainrule predict runs/digits_mlp inputs.npy
  chainrule predict runs/digits_mlp inputs.npy --output predictions.npy
  chainrule predict runs/heart new_patients.csv --output predictions.csv
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "predict from a .npy file of raw inputs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="a run directory made by `chainrule train`")
    parser.add_argument("input", help="a .npy array of raw samples (or, for a run trained on "
                                      "a table, a CSV/parquet file with its columns)")
    parser.add_argument("--output", help="write the predictions to this .npy or .csv file")


def run(args: argparse.Namespace) -> int:
    from chainrule.runs.predict import predict_run

    pred = predict_run(args.run_dir, args.input)
    if args.output:
        _write(args.output, pred)
        print(f"wrote {len(pred)} predictions to {args.output}")
    else:
        print("\n".join(_lines(pred)))
    return 0


def _cells(pred: Any) -> list[list[str]]:
    """One row per sample: its label, or its outputs."""
    return [[f"{v:.6g}" if isinstance(v, float) else str(v) for v in row]
            for row in pred.reshape(len(pred), -1).tolist()]


def _lines(pred: Any) -> list[str]:
    """One line per sample: the label, or its outputs separated by spaces."""
    return [" ".join(row) for row in _cells(pred)]


def _write(path: str, pred: Any) -> None:
    """Atomically: a .csv with a ``prediction`` column (``prediction_k`` for several
    outputs), else a .npy array."""
    import io as _io

    import numpy as np

    from chainrule import io

    if path.lower().endswith(".csv"):
        import csv

        text = _io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        width = int(np.prod(pred.shape[1:]))
        writer.writerow(["prediction"] if width == 1 else
                        [f"prediction_{k}" for k in range(width)])
        writer.writerows(_cells(pred))
        io.write_atomic(path, text.getvalue())
        return
    buffer = _io.BytesIO()
    np.save(buffer, pred)
    io.write_atomic(path, buffer.getvalue())
