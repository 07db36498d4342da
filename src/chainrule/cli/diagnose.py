"""Run the pre-training checks (initial loss, gradient check, overfitting a small
sample, learning-rate range test, per-layer statistics) on the run a config
describes; print a table of verdicts, write plots and diagnosis.json to
runs/<name>-diagnose, and exit with status 1 when a check fails.

examples:
  chainrule diagnose digits_mlp
  chainrule diagnose configs/digits_mlp.toml --set optimizer.lr=1000
"""

from __future__ import annotations

import argparse

HELP = "sanity checks of a config before training"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="TOML config file or shipped config name")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set optimizer.lr=0.01")
    parser.add_argument("--runs", default="runs", help="folder of run directories (default runs)")


def run(args: argparse.Namespace) -> int:
    from chainrule.cli._output import console
    from chainrule.runs.diagnose import diagnose_run

    result = diagnose_run(args.config, tuple(args.set), runs_root=args.runs)
    out = console()
    out.print(result.diagnosis.table(f"diagnosis of {args.config} ({result.seconds:.1f} s)"))
    out.print(f"run directory: {result.run_dir}")
    out.print("plots: " + ", ".join(p.name for k, p in result.paths.items() if k != "json"))
    return 1 if result.diagnosis.failed else 0
