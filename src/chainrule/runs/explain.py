"""Explain a trained run: ``chainrule explain RUN_DIR`` writes ``RUN_DIR/explain.json`` and plots.

What it computes on one split of the run's data (``--data``: ``test`` by default; raw rows,
through the run's fitted preprocessing and the one predict path), with the column names of a
table (``[data] dataset = "csv"``) or ``x0, x1, ...``:

- permutation importance (10 repeats; one-hot columns of a categorical feature permuted
  together), for up to ``MAX_IMPORTANCE_FEATURES`` features;
- partial dependence of the ``top`` most important numeric features: ICE curves, their
  average and the curve at the means; and the joint dependence of the top two;
- with ``--bootstrap B``: B refits of the run's config on resampled training rows (in
  worker processes), giving 95% percentile bands along the most important feature (others at
  their means) and intervals for the first ``BOOTSTRAP_ROWS`` rows of the split;
- a depth-3 surrogate tree with its fidelity to the network;
- saliency: mean |gradient| and |gradient x input| per model input (after preprocessing);
- for 2-D inputs, the decision boundary; for image data, the first-layer weights as images.

``explain.json`` (strict JSON, non-finite numbers as null)::

    {"run_dir": str, "data": "test" | "val" | "train", "n_samples": int,
     "task": "classification" | "regression", "response": str,   # what the curves show
     "features": [str, ...],                                      # the model's input columns
     "importance": {"scoring", "baseline", "n_repeats",
                    "features": [{"name", "mean", "std"}, ...]}   # most important first
                   | {"skipped": reason},
     "partial_dependence": [{"feature", "grid", "average", "at_means", "ice"}, ...],
     "partial_dependence_2d": {"features": [a, b], "grid": [[...], [...]], "values"} | null,
     "bootstrap": {"B", "level", "feature", "grid", "mean", "lower", "upper",
                   "rows": {"index", "prediction", "mean", "lower", "upper"}} | null,
     "surrogate": {"max_depth", "fidelity", "metric", "rules", "importances"},
     "saliency": [{"name", "gradient", "gradient_x_input"}, ...],
     "plots": [paths relative to RUN_DIR, ...],
     "seconds": float}

Plots go to ``RUN_DIR/explain/`` (importance.png, pd_<feature>.png, pd_2d.png,
bootstrap.png, surrogate.png, saliency.png, boundary.png, weights.png).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import explain, io
from chainrule.config.build import build_data
from chainrule.data.tabular import TabularSchema
from chainrule.runs.replicates import ConfigReplicates
from chainrule.runs.train import LoadedRun, load_run
from chainrule.viz import explain as viz_explain
from chainrule.viz.save import save_figure

EXPLAIN_FILE = "explain.json"
PLOTS_DIR = "explain"
SPLITS = ("test", "val", "train")
MAX_IMPORTANCE_FEATURES = 100
MAX_SAMPLES = 2000
BOOTSTRAP_ROWS = 20


@dataclass
class ExplainResult:
    """What :func:`explain_run` wrote: the JSON file and its content."""

    path: Path
    report: dict[str, Any]


@dataclass
class _Subject:
    """The run being explained, seen as a fitted estimator on raw rows."""

    loaded: LoadedRun
    estimator: Any
    x: np.ndarray
    y: np.ndarray
    names: list[str]
    groups: dict[str, list[int]] | None
    task: str
    response: str
    run_dir: Path

    def plot(self, fig: Any, name: str, plots: list[str]) -> None:
        (self.run_dir / PLOTS_DIR).mkdir(exist_ok=True)
        save_figure(fig, self.run_dir / PLOTS_DIR / name)
        plots.append(f"{PLOTS_DIR}/{name}")


def _rows(config: Any, which: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw rows and labels of one split (before preprocessing), at most MAX_SAMPLES."""
    if which not in SPLITS:
        raise ValueError(f"--data must be one of {SPLITS}, got {which!r}")
    part = getattr(build_data(config.data, config.train.seed), which)
    if part is None:
        raise ValueError(f"this run has no {which} split (data.test_fraction or "
                         f"data.val_fraction is 0); use --data train")
    x, y = part.x, part.y
    if len(x) > MAX_SAMPLES:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), MAX_SAMPLES, replace=False))
        x, y = x[keep], y[keep]
    return x, y


def _subject(run_dir: Path, which: str, seed: int) -> _Subject:
    loaded = load_run(run_dir)
    x, y = _rows(loaded.config, which, seed)
    task = "regression" if y.dtype.kind == "f" else "classification"
    tabular = loaded.info.get("tabular")
    schema = TabularSchema.from_dict(tabular) if tabular else None
    flat = x.reshape(len(x), -1)
    names = schema.feature_names if schema else [f"x{i}" for i in range(flat.shape[1])]
    groups = schema.groups if schema is not None and schema.categories else None
    estimator = explain.as_estimator(loaded.model, task, loaded.preprocess,
                                     n_classes=loaded.info["out_features"] if
                                     task == "classification" else None)
    if task == "classification":
        classes = schema.classes if schema else None
        last = classes[-1] if classes else str(max(loaded.info["out_features"], 2) - 1)
        response = f"P({last})"
    else:
        response = schema.target if schema else "prediction"
    return _Subject(loaded, estimator, flat.astype(np.float64), y, names, groups, task,
                    response, Path(run_dir))


# ---------------------------------------------------------------------- sections
def _importance(s: _Subject, n_repeats: int, plots: list[str]) -> dict[str, Any]:
    if s.x.shape[1] > MAX_IMPORTANCE_FEATURES:
        return {"skipped": f"{s.x.shape[1]} input features (more than "
                           f"{MAX_IMPORTANCE_FEATURES}): permutation importance is per feature"}
    imp = explain.permutation_importance(s.estimator, s.x, s.y.reshape(len(s.y), -1)[:, 0],
                                         n_repeats=n_repeats, groups=s.groups,
                                         feature_names=s.names)
    s.plot(viz_explain.plot_importance(imp.names, imp.mean, imp.std, imp.scoring),
           "importance.png", plots)
    return {**imp.to_dict(), "n_repeats": n_repeats}


def _top_numeric(s: _Subject, importance: dict[str, Any], top: int) -> list[int]:
    """Column indices of the ``top`` most important numeric features (one-hot columns and
    groups excluded); in column order when importance was skipped."""
    grouped = {c for cols in (s.groups or {}).values() if len(cols) > 1 for c in cols}
    ranked = [f["name"] for f in importance.get("features", [])] or s.names
    numeric = [s.names.index(n) for n in ranked if n in s.names
               and s.names.index(n) not in grouped and len(np.unique(s.x[:, s.names.index(n)])) > 2]
    return numeric[:top]


def _dependence(s: _Subject, columns: list[int], plots: list[str]) -> list[dict[str, Any]]:
    out = []
    for j in columns:
        name = s.names[j]
        ice = explain.partial_dependence(s.estimator, s.x, j, kind="individual",
                                         feature_names=s.names, grid_resolution=30)
        means = explain.partial_dependence(s.estimator, s.x, j, kind="means",
                                           feature_names=s.names, groups=s.groups,
                                           grid_resolution=30)
        average = ice.values.mean(axis=0)
        s.plot(viz_explain.plot_partial_dependence(name, ice.grid, average, ice.values,
                                                   means.values, s.response),
               f"pd_{j}.png", plots)
        out.append({"feature": name, "grid": ice.grid.tolist(), "average": average.tolist(),
                    "at_means": means.values.tolist(), "ice": ice.values[:50].tolist()})
    return out


def _dependence_2d(s: _Subject, columns: list[int], plots: list[str]) -> dict[str, Any] | None:
    if len(columns) < 2:
        return None
    pair = (columns[0], columns[1])
    pd2 = explain.partial_dependence(s.estimator, s.x, pair, kind="average",
                                     feature_names=s.names, grid_resolution=20)
    names = [s.names[j] for j in pair]
    s.plot(viz_explain.plot_partial_dependence_2d(names, pd2.grid[0], pd2.grid[1], pd2.values,
                                                  s.response), "pd_2d.png", plots)
    return {"features": names, "grid": [g.tolist() for g in pd2.grid],
            "values": pd2.values.tolist()}


def _bootstrap(s: _Subject, B: int, workers: int | None, column: int | None, seed: int,
               plots: list[str]) -> dict[str, Any] | None:
    """B refits of the run's config; intervals along ``column`` (others at their means) and
    for the first BOOTSTRAP_ROWS rows of the split."""
    if B <= 0:
        return None
    from chainrule.explain.dependence import typical_row

    column = 0 if column is None else column
    grid = np.linspace(*np.percentile(s.x[:, column], [5, 95]), 30)
    along = np.repeat(typical_row(s.x, s.groups)[None], len(grid), axis=0)
    along[:, column] = grid
    rows = s.x[:BOOTSTRAP_ROWS]
    shape = (len(along),) + tuple(s.loaded.raw_shape)
    x_eval = np.concatenate([along, rows]).reshape((len(along) + len(rows),) + shape[1:])
    result = explain.bootstrap(ConfigReplicates.of(s.loaded.config),
                               x_eval.reshape(len(x_eval), -1), B=B,
                               workers=workers, seed=seed)
    n = len(grid)
    band = {k: getattr(result, k)[:n].tolist() for k in ("mean", "lower", "upper")}
    name = s.names[column]
    s.plot(viz_explain.plot_bootstrap_band(name, grid, result.mean[:n], result.lower[:n],
                                           result.upper[:n], result.level, s.response, B),
           "bootstrap.png", plots)
    from chainrule.explain.model import positive_proba

    own = positive_proba(s.estimator, rows)
    return {"B": B, "level": result.level, "feature": name, "grid": grid.tolist(), **band,
            "rows": {"index": list(range(len(rows))), "prediction": own.tolist(),
                     **{k: getattr(result, k)[n:].tolist() for k in ("mean", "lower", "upper")}}}


def _surrogate(s: _Subject, plots: list[str]) -> dict[str, Any]:
    tabular = s.loaded.info.get("tabular")
    tree = explain.surrogate_tree(s.estimator, s.x, max_depth=3, feature_names=s.names,
                                  class_names=(tabular or {}).get("classes"))
    s.plot(viz_explain.plot_surrogate_tree(tree.tree, s.names, tree.class_names,
                                           tree.fidelity, tree.metric), "surrogate.png", plots)
    return tree.to_dict()


def _saliency(s: _Subject, plots: list[str]) -> list[dict[str, Any]]:
    x = s.x.reshape((len(s.x),) + tuple(s.loaded.raw_shape)).astype(np.float32)
    if s.loaded.preprocess is not None:
        x = s.loaded.preprocess.transform(x)
    result = explain.saliency(s.loaded.model, x)
    grad = np.abs(result.gradient.reshape(len(x), -1)).mean(axis=0)
    gxi = np.abs(result.gradient_x_input.reshape(len(x), -1)).mean(axis=0)
    names = s.names if len(s.names) == len(grad) else [f"input {i}" for i in range(len(grad))]
    if len(grad) <= MAX_IMPORTANCE_FEATURES:
        s.plot(viz_explain.plot_saliency(names, grad, gxi), "saliency.png", plots)
    return [{"name": n, "gradient": float(g), "gradient_x_input": float(v)}
            for n, g, v in zip(names, grad, gxi, strict=True)]


def _pictures(s: _Subject, plots: list[str]) -> None:
    """The decision boundary of a 2-D classifier; the first-layer weights of image data."""
    from chainrule.viz.boundary import plot_decision_boundary
    from chainrule.viz.weights import plot_weight_grid

    if s.task == "classification" and s.x.shape[1] == 2:
        grid = explain.decision_boundary(s.estimator, s.x, resolution=150)
        s.plot(plot_decision_boundary(s.x, s.y, grid.xs, grid.ys, grid.proba), "boundary.png",
               plots)
    image = _image_shape(s.loaded.raw_shape)
    first = next((m for m in s.loaded.model.modules() if hasattr(m, "in_features")), None)
    if image is not None and first is not None and first.in_features == int(np.prod(image)):
        s.plot(plot_weight_grid(first.weight.data, image), "weights.png", plots)


def _image_shape(raw_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """(H, W) for image samples: a 2-D raw shape, or a flat one that is a square of side
    >= 8 (digits' 64, MNIST's 784)."""
    if len(raw_shape) in (2, 3):
        return tuple(raw_shape)
    side = int(round(np.sqrt(raw_shape[0]))) if len(raw_shape) == 1 else 0
    return (side, side) if side >= 8 and side * side == raw_shape[0] else None


def explain_run(run_dir: str | Path, data: str = "test", bootstrap: int = 0,
                workers: int | None = None, n_repeats: int = 10, top: int = 3,
                seed: int = 0) -> ExplainResult:
    """Explain a trained run and write ``explain.json`` and plots into its directory.

    Args:
        run_dir: a run directory made by ``chainrule train``.
        data: the split explained: ``"test"``, ``"val"`` or ``"train"``. Defaults to test.
        bootstrap: refits for the bootstrap intervals; 0 skips them. Defaults to ``0``.
        workers: worker processes for the refits. Defaults to one per core.
        n_repeats: permutations per feature. Defaults to ``10``.
        top: features given partial-dependence plots. Defaults to ``3``.
        seed: seed of the permutations, the subsample and the resamples. Defaults to ``0``.

    Raises:
        FileNotFoundError: not a finished run. ValueError: an unknown or empty split.
    """
    started = time.perf_counter()
    s = _subject(Path(run_dir), data, seed)
    plots: list[str] = []
    report: dict[str, Any] = {"run_dir": str(run_dir), "data": data, "n_samples": len(s.x),
                              "task": s.task, "response": s.response, "features": s.names}
    report["importance"] = _importance(s, n_repeats, plots)
    columns = _top_numeric(s, report["importance"], top)
    report["partial_dependence"] = _dependence(s, columns, plots)
    report["partial_dependence_2d"] = _dependence_2d(s, columns, plots)
    report["bootstrap"] = _bootstrap(s, bootstrap, workers, columns[0] if columns else None,
                                     seed, plots)
    report["surrogate"] = _surrogate(s, plots)
    report["saliency"] = _saliency(s, plots)
    _pictures(s, plots)
    report["plots"] = plots
    report["seconds"] = time.perf_counter() - started
    path = Path(run_dir) / EXPLAIN_FILE
    io.write_json(path, report)
    return ExplainResult(path, report)

