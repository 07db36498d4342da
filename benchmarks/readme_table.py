"""Print the README's benchmark table (Markdown) from `mnist_mlp.py --json` results.

Run: python benchmarks/readme_table.py benchmarks/results/mnist_mlp.json
"""

from __future__ import annotations

import json
import sys

from machine_state import ran_fast

RATIOS = [("chainrule_loop", "numpy"), ("chainrule_loop", "torch"), ("chainrule_loop", "floor"),
          ("chainrule_trainer", "chainrule_loop")]
RATIO_HEADER = "| loop / NumPy | loop / PyTorch | loop / matmul floor | Trainer / loop |"


def ratio_cells(seconds: dict) -> str:
    """The four ratio cells of a row, from each contender's seconds ("-" where one is missing)."""
    return "".join(f" {seconds[a] / seconds[b]:.2f} |" if seconds.get(a) and seconds.get(b)
                   else " - |" for a, b in RATIOS)


def table(results: dict) -> str:
    lines = [f"BLAS: {results['blas']}; sgemm peak {results['sgemm_gflops']:.0f} GFLOP/s.", "",
             f"| batch | width {RATIO_HEADER} chainrule loop s | PyTorch s | NumPy s | floor s "
             "| test acc. (loop / torch) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for block in results["results"]:
        c = block["contenders"]
        med = {k: v.get("median") for k, v in c.items()}
        s = lambda k, med=med: f"{med[k]:.2f}" if med.get(k) else "-"  # noqa: E731
        acc = f"{c['chainrule_loop']['accuracy']:.4f} / {c['torch']['accuracy']:.4f}"
        lines.append(f"| {block['batch']} | {block['width']} |{ratio_cells(med)} "
                     f"{s('chainrule_loop')} | {s('torch')} | {s('numpy')} | {s('floor')} "
                     f"| {acc} |")
    lines += ["", "Best epoch of each contender (least disturbed by the machine's slow spells):",
              "", f"| batch | width {RATIO_HEADER}", "|---|---|---|---|---|---|"]
    for block in results["results"]:
        best = {k: min(v["times"]) for k, v in block["contenders"].items() if v.get("times")}
        lines.append(f"| {block['batch']} | {block['width']} |{ratio_cells(best)}")
    lines += ["", "Medians over the epochs that ran in the machine's fast state throughout (the "
              "probe of machine_state.py fast before and after), with how many of each "
              "contender's epochs that was:", "",
              f"| batch | width {RATIO_HEADER} fast epochs (loop / torch / NumPy / floor) |",
              "|---|---|---|---|---|---|---|"]
    for block in results["results"]:
        c = block["contenders"]
        fast = {k: v.get("fast_median") for k, v in c.items()}
        counts = " / ".join(str(sum(map(ran_fast, c[k]["probes"]))) if "probes" in c.get(k, {})
                            else "-" for k in ("chainrule_loop", "torch", "numpy", "floor"))
        lines.append(f"| {block['batch']} | {block['width']} |{ratio_cells(fast)} {counts} |")
    return "\n".join(lines)


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        print(table(json.load(fh)))
