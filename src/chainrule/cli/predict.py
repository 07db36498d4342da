"""Apply a run's preprocessing and model to raw inputs (N samples in a .npy file);
print or save class predictions (or regression outputs).

examples:
  chainrule predict runs/digits_mlp inputs.npy
  chainrule predict runs/digits_mlp inputs.npy --output predictions.npy
"""

from __future__ import annotations

import argparse

HELP = "predict from a .npy file of raw inputs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="a run directory made by `chainrule train`")
    parser.add_argument("input", help="a .npy array of raw samples (or, for a run trained on "
                                      "a table, a CSV/parquet file with its columns)")
    parser.add_argument("--output", help="write predictions to this .npy file")


def run(args: argparse.Namespace) -> int:
    import io as _io

    import numpy as np

    from chainrule import io
    from chainrule.runs.predict import predict_run

    pred = predict_run(args.run_dir, args.input)
    if args.output:
        buffer = _io.BytesIO()
        np.save(buffer, pred)
        io.write_atomic(args.output, buffer.getvalue())
        print(f"wrote {len(pred)} predictions to {args.output}")
    else:
        print(np.array2string(pred, threshold=50))
    return 0
