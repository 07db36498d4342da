"""Train the default config (scikit-learn's 8x8 digits with a small MLP: bundled
data, no network, about 10 s) and show the results. Works from any directory:
the config ships inside the package.

examples:
  chainrule demo
  chainrule demo xor
  chainrule demo --set train.epochs=3
"""

from __future__ import annotations

import argparse

from chainrule.cli.train import add_run_options

HELP = "train the default config (digits MLP, no network) and show the results"
DEFAULT = "digits_mlp"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", default=DEFAULT,
                        help=f"config file or shipped config name (default {DEFAULT})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set train.epochs=3")
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    from chainrule.cli._output import show_training
    from chainrule.runs.train import train_run

    show_training(train_run(args.config, tuple(args.set), runs_root=args.runs,
                            verbose=not args.quiet and None))
    return 0
