"""The sections of one run's report, each built from plain data and left out when its data
is missing: summary, config, training curves, diagnosis, per-layer statistics, model,
evaluation, explanations.

``extras`` carries what the run folder's files cannot give without the model
(computed by ``chainrule.runs.report``), every key optional::

    {"network": {"input_shape": [...], "layers": [{"name", "kind", "output_shape",
                 "params", "detail"}]},
     "parameters": int,
     "first_weights": {"weights": array (units, features), "image_shape": [H, W]},
     "predictions": {"split": "test", "y_true": [...], "y_pred": [...],
                     "class_names": [...] | None},
     "boundary": {"x", "y", "gx", "gy", "proba", "class_names"},
     "greater_is_better": {metric: bool}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule import viz
from chainrule.viz.curves import metric_names
from chainrule.viz.report.blocks import cards, figure, fmt, image_file, note, pre, section, table
from chainrule.viz.report.folder import Folder, epoch_logs, step_logs

LOWER_IS_BETTER = ("loss", "mse", "mae", "rmse", "error", "log_loss")


def _better_is_greater(key: str, directions: Mapping[str, bool]) -> bool:
    name = key[4:] if key.startswith("val_") else key
    if name in directions:
        return bool(directions[name])
    return not any(word in name for word in LOWER_IS_BETTER)


def summary_section(folder: Folder, extras: Mapping[str, Any]) -> dict[str, Any] | None:
    """Epochs, parameters, timing, and the final and best value of each logged number."""
    epochs, logs = epoch_logs(folder)
    results = folder.get("results") or {}
    planned = ((folder.config or {}).get("train") or {}).get("epochs")
    items: list[tuple[str, Any]] = [("epochs", f"{len(epochs)}" + (f" of {planned}"
                                                                     if planned else ""))]
    if extras.get("parameters") is not None:
        items.append(("parameters", int(extras["parameters"])))
    times = [t for t in logs.get("time", []) if np.isfinite(t)]
    if times:
        items.append(("seconds per epoch", float(np.mean(times))))
    if isinstance(results.get("seconds"), (int, float)):
        items.append(("seconds in all", float(results["seconds"])))
    for key, value in (results.get("test") or {}).items():
        items.append((f"test {key}", value))
    rows = []
    directions = extras.get("greater_is_better") or {}
    for key, values in logs.items():
        if key in ("time", "lr") or key.startswith("penalty/"):
            continue
        v = np.asarray(values, dtype=np.float64)
        if not np.isfinite(v).any():
            continue
        pick = np.nanargmax if _better_is_greater(key, directions) else np.nanargmin
        best = int(pick(v))
        rows.append([key, v[-1], v[best], epochs[best] + 1])
    return section("summary", "Summary", [
        cards(items),
        table(["log", "final", "best", "best at epoch"], rows) if rows else None])


def config_section(folder: Folder) -> dict[str, Any] | None:
    """The resolved config, as the run saved it."""
    if folder.config_text is None:
        return None
    return section("config", "Resolved config", [pre(folder.config_text, "config.toml")],
                   "Every setting of this run, defaults included: `chainrule train` on this "
                   "file repeats it.")


def curves_section(folder: Folder, smoothing: float = 0.6) -> dict[str, Any] | None:
    """Loss (raw and smoothed per logged step, and per epoch with penalties), the metrics
    with their generalisation gap, and the learning rate."""
    epochs, logs = epoch_logs(folder)
    steps = step_logs(folder)
    if not epochs and not steps:
        return None
    blocks = [figure(viz.plot_loss(logs, steps, smoothing=smoothing, epochs=epochs),
                     "loss curves")]
    if metric_names(logs):
        blocks.append(figure(viz.plot_metrics(logs, epochs=epochs), "metric curves"))
    if "lr" in steps and np.isfinite(steps["lr"]).any():
        blocks.append(figure(viz.plot_learning_rate(steps["lr"], steps.get("step")),
                             "learning rate per step"))
    elif "lr" in logs:
        blocks.append(figure(viz.plot_learning_rate(logs["lr"], np.asarray(epochs) + 1,
                                                    xlabel="epoch"), "learning rate per epoch"))
    return section("curves", "Training curves", blocks,
                   f"Per-step losses are smoothed with an exponential moving average "
                   f"(smoothing {smoothing:g}).")


def diagnosis_section(folder: Folder) -> dict[str, Any] | None:
    """diagnose's verdicts with their advice, and its plots."""
    diagnosis = folder.get("diagnosis")
    if not isinstance(diagnosis, Mapping):
        return None
    results = list(diagnosis.get("results") or [])
    rows = [[r.get("name"), r.get("verdict"), fmt(r.get("measured")), r.get("expected"),
             r.get("advice")] for r in results]
    blocks = [table(["check", "verdict", "measured", "expected", "advice"], rows,
                    row_classes=[f"verdict-{r.get('verdict')}" for r in results])]
    detail = next((r["detail"] for r in results
                   if isinstance(r.get("detail"), Mapping) and r["detail"].get("lrs")), None)
    if detail is not None:
        blocks.append(figure(viz.plot_lr_range(detail), "learning-rate range test"))
    stats = diagnosis.get("statistics")
    if isinstance(stats, Mapping) and stats.get("activations"):
        blocks.append(figure(viz.plot_layers(stats), "per-layer statistics before training"))
    if diagnosis.get("spectra"):
        blocks.append(figure(viz.plot_spectra(diagnosis["spectra"]), "weight spectra"))
    return section("diagnosis", f"Diagnosis: {diagnosis.get('verdict', '?')}", blocks,
                   "The babysitting checks run before training, worst verdict in the title.")


def monitor_section(folder: Folder) -> dict[str, Any] | None:
    """The Monitor's per-layer statistics over training, and the last record as a table."""
    monitor = folder.get("monitor")
    records = list((monitor or {}).get("records") or []) if isinstance(monitor, Mapping) else []
    if not records:
        return None
    blocks = [figure(viz.plot_monitor(records), "per-layer statistics over training")]
    for kind in ("activations", "weights", "gradients"):
        blocks.append(figure(viz.plot_histograms(records, kind), f"{kind} histograms"))
    last = records[-1]
    rows = [[name, a.get("kind"), a.get("mean"), a.get("std"),
             a.get("dead_fraction", a.get("saturated_fraction")), a.get("grad_std")]
            for name, a in last.get("activations", {}).items()]
    blocks.append(table(["layer", "kind", "mean", "std", "dead / saturated", "dL/dh std"], rows,
                        caption=f"activations at step {last.get('step')}"))
    rows = [[name, p.get("norm"), p.get("grad_norm"), p.get("update_ratio")]
            for name, p in last.get("parameters", {}).items()]
    blocks.append(table(["parameter", "norm", "gradient norm", "update / weight"], rows,
                        caption=f"parameters at step {last.get('step')}"))
    return section("layers", "Per-layer statistics", blocks,
                   f"Recorded by the Monitor every {monitor.get('every', '?')} steps "
                   f"({len(records)} records).")


def model_section(extras: Mapping[str, Any]) -> dict[str, Any] | None:
    """The layer stack and the first layer's weights as images."""
    blocks = []
    network = extras.get("network")
    if network:
        blocks.append(figure(viz.plot_network(network["layers"], network["input_shape"]),
                             "network diagram"))
    first = extras.get("first_weights")
    if first:
        blocks.append(figure(viz.plot_weight_grid(first["weights"], first.get("image_shape")),
                             "first-layer weights"))
    return section("model", "Model", blocks)


def evaluation_section(extras: Mapping[str, Any]) -> dict[str, Any] | None:
    """Confusion matrix, per-class precision and recall, decision boundary (2-D inputs)."""
    blocks = []
    pred = extras.get("predictions")
    if pred:
        names = pred.get("class_names")
        blocks.append(figure(viz.plot_confusion_matrix(pred["y_true"], pred["y_pred"], names),
                             "confusion matrix"))
        blocks.append(figure(viz.plot_precision_recall(pred["y_true"], pred["y_pred"], names),
                             "precision and recall per class"))
    b = extras.get("boundary")
    if b:
        blocks.append(figure(viz.plot_decision_boundary(b["x"], b["y"], b["gx"], b["gy"],
                                                        b["proba"], b.get("class_names")),
                             "decision boundary"))
    split = (pred or {}).get("split", "held-out")
    return section("evaluation", "Evaluation", blocks, f"On the {split} split.")


def explain_section(folder: Folder) -> dict[str, Any] | None:
    """What ``chainrule explain`` saved: its headline numbers, its plots, and its tables
    (importance, saliency, surrogate rules ...)."""
    explain = folder.get("explain")
    if not isinstance(explain, Mapping):
        return None
    scalars = [(k, v) for k, v in explain.items() if _scalar(v) and k != "run_dir"]
    blocks: list[dict[str, Any] | None] = [cards(scalars) if scalars else None]
    blocks += [image_file(folder.path, p) for p in explain.get("plots") or []]
    for key, value in explain.items():
        if key != "plots":
            blocks += nested_tables(key, value)
    return section("explain", "Explanations", blocks)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, Mapping)
                                                           for r in value)


def nested_tables(key: str, value: Any) -> list[dict[str, Any] | None]:
    """Tables of a JSON value: a list of records (scalar columns only), a mapping's scalar
    entries, and one level down the mapping's lists of records and multi-line texts."""
    if _records(value):
        columns = [c for c in dict.fromkeys(c for r in value for c in r)
                   if all(_scalar(r.get(c)) for r in value)]
        return [table(columns, [[r.get(c) for c in columns] for r in value], caption=key)
                if columns else None]
    if not isinstance(value, Mapping):
        return []
    flat = [(k, v) for k, v in value.items() if _scalar(v) and not
            (isinstance(v, str) and "\n" in v)]
    out = [table([key, "value"], flat, caption=key) if flat else None]
    for sub, inner in value.items():
        if _records(inner):
            out += nested_tables(f"{key}: {sub}", inner)
        elif isinstance(inner, str) and "\n" in inner:
            out.append(pre(inner, f"{key}: {sub}"))
    return out


def problems_section(folder: Folder) -> dict[str, Any] | None:
    """Files that exist but could not be read."""
    return section("problems", "Problems reading the folder",
                   [note(p, "warn") for p in folder.problems])
