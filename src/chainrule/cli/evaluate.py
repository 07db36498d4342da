"""Evaluate a finished run on its data splits (rebuilt from its config, through its
fitted preprocessing): loss and metrics per split.

examples:
  chainrule evaluate runs/digits_mlp
  chainrule evaluate runs/digits_mlp --data test
"""

from __future__ import annotations

import argparse

HELP = "loss and metrics of a trained run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="a run directory made by `chainrule train`")
    parser.add_argument("--data", choices=["train", "val", "test"],
                        help="only this split (default: all that exist)")


def run(args: argparse.Namespace) -> int:
    from chainrule.cli._output import console, metrics_table
    from chainrule.runs.evaluate import evaluate_run

    rows = evaluate_run(args.run_dir, args.data)
    console().print(metrics_table(f"evaluation of {args.run_dir}", rows))
    return 0
