"""Print the README's benchmark table (Markdown) from `mnist_mlp.py --json` results.

Run: python benchmarks/readme_table.py benchmarks/results/mnist_mlp.json
"""

from __future__ import annotations

import json
import sys


def table(results: dict) -> str:
    lines = [f"BLAS: {results['blas']}; sgemm peak {results['sgemm_gflops']:.0f} GFLOP/s.", "",
             "| batch | width | loop / NumPy | loop / PyTorch | loop / matmul floor "
             "| Trainer / loop | chainrule loop s | PyTorch s | NumPy s | floor s "
             "| test acc. (loop / torch) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for block in results["results"]:
        c = block["contenders"]
        med = {k: v.get("median") for k, v in c.items()}
        r = lambda a, b, med=med: (  # noqa: E731
            f"{med[a] / med[b]:.2f}" if med.get(a) and med.get(b) else "-")
        s = lambda k, med=med: f"{med[k]:.2f}" if med.get(k) else "-"  # noqa: E731
        acc = f"{c['chainrule_loop']['accuracy']:.4f} / {c['torch']['accuracy']:.4f}"
        lines.append(f"| {block['batch']} | {block['width']} | {r('chainrule_loop', 'numpy')} "
                     f"| {r('chainrule_loop', 'torch')} | {r('chainrule_loop', 'floor')} "
                     f"| {r('chainrule_trainer', 'chainrule_loop')} | {s('chainrule_loop')} "
                     f"| {s('torch')} | {s('numpy')} | {s('floor')} | {acc} |")
    lines += ["", "Best epoch of each contender (least disturbed by the machine's slow spells):",
              "", "| batch | width | loop / NumPy | loop / PyTorch | loop / matmul floor "
              "| Trainer / loop |", "|---|---|---|---|---|---|"]
    for block in results["results"]:
        best = {k: min(v["times"]) for k, v in block["contenders"].items() if v.get("times")}
        r = lambda a, b, best=best: (  # noqa: E731
            f"{best[a] / best[b]:.2f}" if a in best and b in best else "-")
        lines.append(f"| {block['batch']} | {block['width']} | {r('chainrule_loop', 'numpy')} "
                     f"| {r('chainrule_loop', 'torch')} | {r('chainrule_loop', 'floor')} "
                     f"| {r('chainrule_trainer', 'chainrule_loop')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        print(table(json.load(fh)))
