"""The ``chainrule`` command: train, evaluate and predict from TOML configs and run folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

EPILOG = """examples:
  chainrule train configs/digits_mlp.toml
  chainrule train configs/mnist_mlp.toml --set optimizer.lr=0.003 --set train.epochs=5
  chainrule train --resume runs/digits_mlp
  chainrule diagnose configs/digits_mlp.toml --set optimizer.lr=1000
  chainrule evaluate runs/digits_mlp
  chainrule predict runs/digits_mlp inputs.npy --output predictions.npy
"""


def _console():
    from rich.console import Console

    return Console()


def _metrics_table(title: str, rows: dict[str, dict[str, float] | None]):
    from rich.table import Table

    keys = list(dict.fromkeys(k for r in rows.values() if r for k in r))
    table = Table(title=title)
    table.add_column("split")
    for k in keys:
        table.add_column(k, justify="right")
    for split, values in rows.items():
        if values:
            table.add_row(split, *(f"{values[k]:.4f}" if k in values else "-" for k in keys))
    return table


def cmd_train(args: argparse.Namespace) -> int:
    from chainrule.config.run import train_run
    from chainrule.viz.curves import plot_history

    if args.resume is None and args.config is None:
        raise SystemExit("chainrule train: give a CONFIG file, or --resume RUN_DIR")
    result = train_run(args.config, tuple(args.set), runs_root=args.runs,
                       resume_dir=args.resume, verbose=not args.quiet and None)
    h = result.history.history
    last = {k: v[-1] for k, v in h.items() if not k.startswith("val_") and k not in ("time",)}
    val = {k[4:]: v[-1] for k, v in h.items() if k.startswith("val_")}
    plot = plot_history(result.history, result.run_dir / "curves.png")
    console = _console()
    console.print(_metrics_table(f"{len(result.history.epoch)} epochs in {result.seconds:.1f} s",
                                 {"train": last, "val": val or None, "test": result.test}))
    console.print(f"run directory: {result.run_dir}")
    console.print(f"learning curves: {plot}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from chainrule.config.build import build_data, build_loss
    from chainrule.config.run import load_run
    from chainrule.data import ArrayDataset
    from chainrule.train import Trainer

    config, model, preprocess, _ = load_run(args.run_dir)
    splits = build_data(config.data, config.train.seed)
    chosen = {"train": splits.train, "val": splits.val, "test": splits.test}
    names = [args.data] if args.data else [k for k, v in chosen.items() if v is not None]
    metrics = list(config.train.metrics) if not splits.regression else ["mse", "r2"]
    trainer = Trainer(model, None, build_loss(config.loss, splits.regression), metrics=metrics)
    rows = {}
    for name in names:
        ds = chosen[name]
        if ds is None:
            raise SystemExit(f"chainrule evaluate: this run has no {name} split")
        x = preprocess.transform(ds.x) if preprocess is not None else ds.x
        rows[name] = trainer.evaluate(ArrayDataset(x, ds.y))
    _console().print(_metrics_table(f"evaluation of {args.run_dir}", rows))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    import chainrule as cr
    from chainrule.config.run import load_run

    _, model, preprocess, info = load_run(args.run_dir)
    try:
        x = np.load(args.input, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"chainrule predict: cannot read {args.input} as a .npy array: "
                         f"{exc}") from None
    expected = tuple(info["input_shape"])
    if x.shape[1:] != expected and int(np.prod(x.shape[1:])) == int(np.prod(expected)):
        x = x.reshape((len(x),) + expected)
    if x.shape[1:] != expected:
        raise SystemExit(f"chainrule predict: inputs of shape {x.shape} do not fit the model, "
                         f"which takes samples of shape {expected}")
    x = x.astype(np.float32)
    if preprocess is not None:
        x = preprocess.transform(x)
    with cr.no_grad():
        out = model(cr.Tensor(x)).data
    pred = out.argmax(axis=1) if out.ndim == 2 and out.shape[1] > 1 else out
    if args.output:
        np.save(args.output, pred)
        print(f"wrote {len(pred)} predictions to {args.output}")
    else:
        print(np.array2string(pred, threshold=50))
    return 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Pre-training checks of a config's run; exit status 1 when a check fails."""
    from chainrule.diagnose.run import diagnose_config

    result = diagnose_config(args.config, tuple(args.set), runs_root=args.runs)
    console = _console()
    console.print(result.diagnosis.table(f"diagnosis of {args.config} "
                                         f"({result.seconds:.1f} s)"))
    console.print(f"run directory: {result.run_dir}")
    console.print("plots: " + ", ".join(p.name for k, p in result.paths.items() if k != "json"))
    return 1 if result.diagnosis.failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Train the default config (no network needed) and show the results."""
    args.config = args.config or str(Path("configs") / "digits_mlp.toml")
    args.resume, args.set = None, []
    return cmd_train(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule", description="Train, evaluate and inspect neural networks.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train from a TOML config into runs/<name>/",
                           description="Train a model from a TOML config. The run directory "
                           "gets the resolved config, metrics.jsonl/csv, checkpoints, the final "
                           "model and learning curves.")
    train.add_argument("config", nargs="?", help="TOML config file")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override one config value, e.g. --set optimizer.lr=0.01")
    train.add_argument("--resume", metavar="RUN_DIR",
                       help="continue an interrupted run from its newest intact checkpoint")
    train.add_argument("--runs", default="runs", help="folder of run directories (default runs)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=cmd_train)

    evaluate = sub.add_parser("evaluate", help="loss and metrics of a trained run",
                              description="Evaluate a finished run on its data splits.")
    evaluate.add_argument("run_dir", help="a run directory made by `chainrule train`")
    evaluate.add_argument("--data", choices=["train", "val", "test"],
                          help="only this split (default: all that exist)")
    evaluate.set_defaults(run=cmd_evaluate)

    predict = sub.add_parser("predict", help="predict from a .npy file of raw inputs",
                             description="Apply a run's preprocessing and model to raw inputs "
                             "(N samples in a .npy file); prints or saves class predictions "
                             "(or regression outputs).")
    predict.add_argument("run_dir", help="a run directory made by `chainrule train`")
    predict.add_argument("input", help="a .npy array of raw samples")
    predict.add_argument("--output", help="write predictions to this .npy file")
    predict.set_defaults(run=cmd_predict)

    diag = sub.add_parser("diagnose", help="sanity checks of a config before training",
                          description="Run the pre-training checks (initial loss, gradient "
                          "check, overfitting a small sample, learning-rate range test, "
                          "per-layer statistics) on the run a config describes; print a table "
                          "of verdicts, write plots and diagnosis.json to runs/<name>-diagnose, "
                          "and exit with status 1 when a check fails.")
    diag.add_argument("config", help="TOML config file")
    diag.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="override one config value, e.g. --set optimizer.lr=0.01")
    diag.add_argument("--runs", default="runs", help="folder of run directories (default runs)")
    diag.set_defaults(run=cmd_diagnose)

    demo = sub.add_parser("demo", help="train the default config (digits MLP, no network)")
    demo.add_argument("config", nargs="?", help="config (default configs/digits_mlp.toml)")
    demo.add_argument("--runs", default="runs", help="folder of run directories (default runs)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    from chainrule.config import ConfigError

    try:
        return args.run(args)
    except (ConfigError, FileNotFoundError) as exc:
        print(f"chainrule {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"chainrule {args.command}: {exc or 'interrupted'}", file=sys.stderr)
        return 130
