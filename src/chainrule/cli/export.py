"""Export a trained run's model as a standard ONNX graph (runs in onnxruntime and others).

examples:
  chainrule export runs/mnist_cnn model.onnx
"""

from __future__ import annotations

import argparse

HELP = "write a trained run's model as ONNX"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="a run directory made by `chainrule train`")
    parser.add_argument("path", help="the .onnx file to write")


def run(args: argparse.Namespace) -> int:
    from chainrule.runs.export import export_run
    from chainrule.runs.train import load_run

    path = export_run(args.run_dir, args.path)
    note = ""
    if load_run(args.run_dir).preprocess is not None:
        note = " (inputs must go through the run's preprocessing first)"
    print(f"wrote {path}{note}")
    return 0
