"""Search hyperparameters with Optuna: the config's [search] section says how (trials,
strategy, pruner, metric, cv_folds) and [search.space] which keys, e.g.
"optimizer.lr" = { log_uniform = [1e-4, 1e-1] }. Trials run into runs/<name>-search/
(trial-<n>/ run folders, the study in study.db); the command prints a table of the
trials (the best 40 of a longer search) and writes search.json, best.toml (a normal
config: `chainrule train runs/<name>-search/best.toml` reproduces the best trial),
importances and plots. Running it again continues the same study; interrupted trials are
run again.

examples:
  chainrule search configs/digits_search.toml
  chainrule search configs/digits_search.toml --trials 30 --workers 2
  chainrule search my.toml --storage postgresql+psycopg2://user@host/db --study shared
"""

from __future__ import annotations

import argparse

HELP = "hyperparameter search (Optuna) into runs/<name>-search/"
TABLE_ROWS = 40  # a longer search prints its best 40 trials (search.json has them all)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="TOML config with [search] and [search.space]")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set search.pruner=median")
    parser.add_argument("--trials", type=int, help="finished trials to reach (search.trials)")
    parser.add_argument("--workers", type=int, default=1,
                        help="local worker processes on the study (default 1)")
    parser.add_argument("--storage", metavar="URL",
                        help="SQLAlchemy URL of a shared study database (default: SQLite in "
                             "runs/<name>-search/study.db)")
    parser.add_argument("--study", metavar="NAME", help="study name (default: the config name)")
    parser.add_argument("--runs", default="runs", help="folder of run directories (default runs)")


def run(args: argparse.Namespace) -> int:
    from chainrule.runs.search import spawn

    spawn.prestart(args.workers)  # the worker processes load while this one does
    from chainrule.cli._output import console
    from chainrule.runs.search import run as search

    result = search(args.config, tuple(args.set), trials=args.trials, workers=args.workers,
                    storage=args.storage, study=args.study, runs_root=args.runs)
    out = console()
    out.print(result.table(limit=TABLE_ROWS))
    best = result.best
    if best is not None:
        out.print(f"best: trial {best['number']} with {result.summary['metric']} = "
                  f"{best['value']:.4f} in {result.seconds:.1f} s; config: {result.best_config}")
    importances = result.summary["importances"]
    if importances:
        out.print("importances: " + ", ".join(f"{k} {v:.2f}" for k, v in importances.items()))
    out.print(f"search folder: {result.search_dir} (search.json, plots: "
              f"{', '.join(result.summary['plots']) or 'none'})")
    return 0
