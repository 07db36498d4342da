"""What the commands print: rich tables on the console (rich is imported when used)."""

from __future__ import annotations

from typing import Any


def console() -> Any:
    """A rich console on stdout."""
    from rich.console import Console

    return Console()


def metrics_table(title: str, rows: dict[str, dict[str, float] | None]) -> Any:
    """A table with one row per split and one column per metric (``-`` where missing)."""
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


def show_training(result: Any) -> None:
    """The last epoch's train/val metrics, the test metrics and where the run went."""
    h = result.history.history
    last = {k: v[-1] for k, v in h.items() if not k.startswith("val_") and k != "time"}
    val = {k[4:]: v[-1] for k, v in h.items() if k.startswith("val_")}
    out = console()
    out.print(metrics_table(f"{len(result.history.epoch)} epochs in {result.seconds:.1f} s",
                            {"train": last, "val": val or None, "test": result.test}))
    out.print(f"run directory: {result.run_dir}")
    if result.curves is not None:
        out.print(f"learning curves: {result.curves}")
    if result.report is not None:
        out.print(f"report: {result.report}")
