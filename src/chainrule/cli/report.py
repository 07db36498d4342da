"""Write a self-contained HTML report of a run folder (RUN_DIR/report.html) or of a
search folder (SEARCH_DIR/report.html, linking each trial's report). Works while a
run is still training: it shows what exists so far.

examples:
  chainrule report runs/digits_mlp
  chainrule report runs/digits_mlp-search
"""

from __future__ import annotations

import argparse

HELP = "write RUN_DIR/report.html: one self-contained HTML report of a run or search"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder or a search folder")
    parser.add_argument("--smoothing", type=float, default=0.6,
                        help="EMA smoothing of the per-step loss, in [0, 1) (default 0.6)")


def run(args: argparse.Namespace) -> int:
    from chainrule.runs.report import report_run

    path = report_run(args.run_dir, smoothing=args.smoothing)
    print(f"report: {path}")
    return 0
