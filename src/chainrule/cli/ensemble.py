"""Ensemble trained models and compare the ensemble with its members (accuracy, or mse
for regression, on the test split). SOURCE is a search folder (its --top best trials
are the members) or a config whose [ensemble] section trains them: seeds = k (k runs
that differ in train.seed) or snapshots = true (one run with a cosine-with-restarts
schedule, a snapshot per cycle); averaging = "polyak" | "ema" averages each seed
member's weights. Results go to ensemble.json.

examples:
  chainrule ensemble runs/digits_search-search --top 5
  chainrule ensemble configs/digits_mlp.toml --set ensemble.seeds=5
  chainrule ensemble my.toml --method vote
"""

from __future__ import annotations

import argparse

HELP = "average models: a search's top trials, several seeds or snapshots"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a search folder, or a TOML config with [ensemble]")
    parser.add_argument("--top", type=int, default=5,
                        help="members from a search folder: its best K trials (default 5)")
    parser.add_argument("--method", choices=["mean", "vote"],
                        help="average probabilities (mean, the default) or majority vote")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set ensemble.seeds=5")
    parser.add_argument("--runs", default="runs", help="folder of run directories (default runs)")


def run(args: argparse.Namespace) -> int:
    from chainrule.cli._output import console
    from chainrule.runs.ensemble import run as ensemble

    result = ensemble(args.source, top=args.top, method=args.method, overrides=tuple(args.set),
                      runs_root=args.runs)
    r = result.report
    out = console()
    rows = [("ensemble", r["ensemble"]), ("best member on this split", r["best_member"]),
            ("mean member", r["mean_member"])]
    if "chosen" in r:
        rows.insert(1, (f"chosen member ({r['chosen_by']})", r["chosen_member"]))
    from rich.table import Table

    table = Table(title=f"{r['source']}: {r['metric']} on the {r['split']} split "
                        f"({r['method']}, {len(r['members'])} members)")
    table.add_column("model")
    table.add_column(r["metric"], justify="right")
    for name, value in rows + [(f"member {d}", v) for d, v in zip(r["member_dirs"],
                                                                   r["members"], strict=True)]:
        table.add_row(name, f"{value:.4f}")
    out.print(table)
    chosen = (f"gain over the chosen member: {r['gain_over_chosen']:+.4f}, "
              if "chosen" in r else "")
    out.print(f"{chosen}over the best member on this split: {r['gain_over_best']:+.4f}, over "
              f"the mean member: {r['gain_over_mean']:+.4f}; written to "
              f"{result.out_dir / 'ensemble.json'}")
    return 0
