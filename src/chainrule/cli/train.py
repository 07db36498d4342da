"""Train a model from a TOML config: a file, or the name of a config shipped with
chainrule (digits_mlp, mnist_mlp, xor). The run directory runs/<name>/ gets the
resolved config, metrics.jsonl/csv, checkpoints, the final model and learning
curves.

examples:
  chainrule train digits_mlp
  chainrule train configs/mnist_mlp.toml --set optimizer.lr=0.003 --set train.epochs=5
  chainrule train --resume runs/digits_mlp
  chainrule train mnist_mlp --nproc 2          # data-parallel on 2 MPI ranks
  chainrule train mnist_mlp --nproc 8 --hostfile hosts.txt
"""

from __future__ import annotations

import argparse

HELP = "train from a TOML config into runs/<name>/"


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``--runs`` and ``--quiet``, shared with ``chainrule demo``."""
    parser.add_argument("--runs", default="runs", help="folder of run directories (default runs)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="TOML config file or shipped config name")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set optimizer.lr=0.01")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue an interrupted run from its newest intact checkpoint")
    parser.add_argument("--nproc", type=int, default=1, metavar="N",
                        help="train data-parallel on N MPI ranks (needs chainrule[distributed])")
    parser.add_argument("--hostfile", metavar="FILE",
                        help="Open MPI hostfile: spread the --nproc ranks over these machines")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="stop a data-parallel job that runs longer than this")
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    from chainrule.cli._output import show_training
    from chainrule.distributed import world
    from chainrule.runs.train import train_run

    if args.resume is None and args.config is None:
        raise ValueError("give a CONFIG file, or --resume RUN_DIR")
    if args.nproc < 1:
        raise ValueError(f"--nproc must be at least 1, got {args.nproc}")
    if args.nproc > 1:
        from chainrule.runs.distributed import launch_train

        launch_train(rank_arguments(args), args.nproc, args.hostfile, args.timeout)
        return 0
    result = train_run(args.config, tuple(args.set), runs_root=args.runs,
                       resume_dir=args.resume, verbose=not args.quiet and None)
    if world().is_root:
        show_training(result)
    return 0


def rank_arguments(args: argparse.Namespace) -> list[str]:
    """The ``chainrule train`` arguments each rank of a ``--nproc`` job runs with."""
    argv = [args.config] if args.config else []
    for assignment in args.set:
        argv += ["--set", assignment]
    if args.resume:
        argv += ["--resume", args.resume]
    return argv + ["--runs", args.runs] + (["--quiet"] if args.quiet else [])
