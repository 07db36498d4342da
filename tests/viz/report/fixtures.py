"""Run and search folders written from known data (no training), for the report tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.viz.test_monitor import records

XSS_NAME = "<script>alert(1)</script>"
XSS_COLUMN = "<img src=x onerror=alert(1)>"


def config_text(name: str = "digits_mlp", epochs: int = 5) -> str:
    return (f'name = "{name}"\n\n[model]\nlayers = [{{type = "linear", out_features = 3}}]\n\n'
            f"[train]\nepochs = {epochs}\n")


def metrics_lines(epochs: int = 4, steps_per_epoch: int = 5) -> str:
    lines = []
    for e in range(epochs):
        for s in range(steps_per_epoch):
            step = e * steps_per_epoch + s + 1
            lines.append({"kind": "step", "epoch": e, "step": step, "loss": 2.0 / step,
                          "lr": 0.01 * 0.9 ** step})
        lines.append({"kind": "epoch", "epoch": e, "step": (e + 1) * steps_per_epoch,
                      "loss": 1.0 / (e + 1), "accuracy": 0.5 + 0.1 * e,
                      "val_loss": 1.2 / (e + 1), "val_accuracy": 0.45 + 0.08 * e,
                      "penalty/l2": 0.01, "lr": 0.01, "time": 0.5})
    return "".join(json.dumps(r) + "\n" for r in lines)


def diagnosis() -> dict:
    lrs = np.logspace(-5, 0, 30)
    losses = (2.3 - np.log10(lrs / 1e-5) * 0.3).tolist()
    act = records(1)[0]["activations"]["0"]
    return {"verdict": "warn", "results": [
        {"name": "initial loss", "verdict": "pass", "measured": {"loss": 2.31},
         "expected": "about 2.303", "advice": "", "detail": {}},
        {"name": "learning rate (range test)", "verdict": "warn", "measured": {"lr": 1.0},
         "expected": "1e-4 to 1e-1", "advice": f"lower it {XSS_COLUMN}",
         "detail": {"lrs": lrs.tolist(), "losses": losses, "smoothed": losses,
                    "suggested": 1e-3, "lr": 1.0}}],
        "statistics": {"activations": [{"name": "0", **act}], "parameters": []},
        "spectra": [{"name": "0.weight", "shape": [4, 3], "singular_values": [2.0, 1.0]}]}


def png_bytes() -> bytes:
    from chainrule.viz import figure_png
    from chainrule.viz.style import new_figure

    fig, axes = new_figure(1, 1, size=(3, 2))
    axes[0][0].plot([0, 1], [1, 0])
    return figure_png(fig)


def write_run(folder: Path, *, full: bool = True, name: str = "digits_mlp") -> Path:
    """A run folder; ``full`` adds results, diagnosis, monitor and explain files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(config_text(name))
    (folder / "metrics.jsonl").write_text(metrics_lines() + '{"kind": "epo')  # torn last line
    if full:
        (folder / "results.json").write_text(json.dumps(
            {"test": {"loss": 0.4, "accuracy": 0.81}, "seconds": 2.5, "epochs_run": 4,
             "final": {}}))
        (folder / "diagnosis.json").write_text(json.dumps(diagnosis()))
        (folder / "monitor.json").write_text(json.dumps({"every": 10, "records": records(5)}))
        (folder / "explain.png").write_bytes(png_bytes())
        (folder / "explain.json").write_text(json.dumps(
            {"data": "test", "n_samples": 60, "task": "classification",
             "plots": ["explain.png", "../outside.png", "missing.png"],
             "importance": {"scoring": "accuracy", "baseline": 0.9, "features": [
                 {"name": XSS_COLUMN, "mean": 0.2, "std": 0.01},
                 {"name": "age", "mean": 0.05, "std": 0.02}]},
             "surrogate": {"fidelity": 0.93, "rules": "age <= 3\n  class a\nage > 3",
                           "importances": {"age": 1.0}},
             "saliency": [{"name": "age", "gradient": 0.1, "gradient_x_input": 0.2}]}))
    return folder


def extras() -> dict:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, 60)
    y_pred = np.where(rng.random(60) < 0.8, y_true, (y_true + 1) % 3)
    from chainrule.viz.boundary import grid_points

    x = rng.normal(size=(40, 2))
    gx, gy, points = grid_points(x, resolution=40)
    p1 = 1 / (1 + np.exp(-3 * points[:, 0]))
    return {"parameters": 1234,
            "network": {"input_shape": [4], "layers": [
                {"name": "0", "kind": "linear", "output_shape": [3], "params": 15,
                 "detail": "4 -> 3"}]},
            "first_weights": {"weights": rng.normal(size=(6, 16)), "image_shape": [4, 4]},
            "predictions": {"split": "test", "y_true": y_true, "y_pred": y_pred,
                            "class_names": ["a", "b", XSS_COLUMN]},
            "boundary": {"x": x, "y": (x[:, 0] > 0).astype(int), "gx": gx, "gy": gy,
                         "proba": np.column_stack([1 - p1, p1]), "class_names": None}}


def write_search(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in (0, 1):
        write_run(folder / f"trial-{n}", full=False, name=f"trial{n}")
    (folder / "search_history.png").write_bytes(png_bytes())
    (folder / "search.json").write_text(json.dumps({
        "study": XSS_NAME, "direction": "minimize", "metric": "val_loss",
        "best": {"number": 1, "value": 0.3, "params": {"optimizer.lr": 0.01},
                 "run_dir": "trial-1"},
        "trials": [{"number": 0, "state": "complete", "params": {"optimizer.lr": 0.1},
                    "value": 0.5, "seconds": 3.0, "run_dir": "trial-0"},
                   {"number": 1, "state": "complete", "params": {"optimizer.lr": 0.01},
                    "value": 0.3, "seconds": 2.0, "run_dir": "trial-1"},
                   {"number": 2, "state": "fail", "params": {"optimizer.lr": 10.0},
                    "value": None, "seconds": None, "run_dir": "javascript:alert(1)"}],
        "importances": {"optimizer.lr": 1.0}, "plots": ["search_history.png"]}))
    return folder
