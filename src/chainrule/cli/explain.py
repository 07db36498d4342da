"""Explain a trained run: permutation importance, partial dependence with ICE, bootstrap
intervals, a surrogate tree, saliency; writes RUN_DIR/explain.json and RUN_DIR/explain/*.png.

examples:
  chainrule explain runs/breast_cancer_csv
  chainrule explain runs/breast_cancer_csv --data val --bootstrap 50 --workers 2
"""

from __future__ import annotations

import argparse

HELP = "explain a trained run (importance, partial dependence, bootstrap, surrogate)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", help="a run directory made by `chainrule train`")
    parser.add_argument("--data", default="test", choices=("test", "val", "train"),
                        help="the split to explain (default: test)")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="B",
                        help="refit B models on resampled training rows for 95%% intervals "
                             "(default: 0, none)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes for the bootstrap (default: one per core)")
    parser.add_argument("--repeats", type=int, default=10,
                        help="permutations per feature (default: 10)")
    parser.add_argument("--top", type=int, default=3,
                        help="features given partial-dependence plots (default: 3)")


def run(args: argparse.Namespace) -> int:
    from chainrule.runs.explain import explain_run

    result = explain_run(args.run_dir, data=args.data, bootstrap=args.bootstrap,
                         workers=args.workers, n_repeats=args.repeats, top=args.top)
    report = result.report
    importance = report["importance"]
    print(f"{report['task']} on {report['n_samples']} {report['data']} rows; "
          f"response {report['response']}")
    if "features" in importance:
        print(f"permutation importance (drop in {importance['scoring']}, "
              f"{importance['n_repeats']} repeats; baseline {importance['baseline']:.4f}):")
        for f in importance["features"][:10]:
            print(f"  {f['name']:32s} {f['mean']:+.4f} +- {f['std']:.4f}")
    boot = report["bootstrap"]
    if boot:
        rows = boot["rows"]
        print(f"bootstrap ({boot['B']} refits), {100 * boot['level']:.0f}% intervals of the "
              f"first {len(rows['index'])} rows:")
        for i, p, lo, hi in zip(rows["index"], rows["prediction"], rows["lower"],
                                rows["upper"], strict=True):
            print(f"  row {i:3d}: {p:.4f}  [{lo:.4f}, {hi:.4f}]")
    surrogate = report["surrogate"]
    print(f"surrogate tree (depth {surrogate['max_depth']}): fidelity {surrogate['metric']} "
          f"{surrogate['fidelity']:.3f}")
    print(f"wrote {result.path} and {len(report['plots'])} plots in {args.run_dir}/explain/")
    return 0
