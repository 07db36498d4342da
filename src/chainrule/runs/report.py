"""Make the HTML report of a run folder or a search folder (``chainrule report``).

The report itself is built by :mod:`chainrule.viz.report` from the folder's
files; this job adds what needs the trained model, when ``model.safetensors``
exists (a run still training has none, and its report shows what exists so
far): the layer stack with output shapes and parameter counts, the first
layer's weights as images (image data only), the confusion matrix and
per-class precision/recall on the test split (validation when there is no
test split; classification only) and, for 2-D inputs, the decision boundary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from chainrule.runs.folder import MODEL_FILE
from chainrule.train.predict import predict_proba

IMAGE_DATASETS = ("digits", "mnist", "fashion_mnist")
BOUNDARY_RESOLUTION = 150


def report_run(path: str | Path, *, smoothing: float = 0.6) -> Path:
    """Write ``<path>/report.html`` for a run or search folder and return its path.

    Args:
        path: a run folder (made by ``chainrule train``, finished or not, or by
            ``chainrule diagnose``) or a search folder (holding ``search.json``).
        smoothing: EMA smoothing of the per-step loss curve, in [0, 1). Defaults to ``0.6``.

    Raises:
        FileNotFoundError: ``path`` is not a run or search folder.
    """
    import chainrule
    from chainrule.viz.report import write_report

    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{str(folder)!r} is not a folder")
    extras = {} if (folder / "search.json").exists() else model_extras(folder)
    return write_report(folder, extras, version=chainrule.__version__, smoothing=smoothing)


def model_extras(run_dir: Path) -> dict[str, Any]:
    """What the report shows of a trained model (see the module docstring), as plain data."""
    from chainrule.train.metrics import GREATER_IS_BETTER

    extras: dict[str, Any] = {"greater_is_better": dict(GREATER_IS_BETTER)}
    if not (run_dir / MODEL_FILE).exists():
        return extras
    from chainrule.runs.train import load_run

    loaded = load_run(run_dir)
    extras["network"] = describe(loaded.model, loaded.input_shape)
    extras["parameters"] = sum(int(p.data.size) for p in loaded.model.parameters())
    extras["first_weights"] = first_weights(loaded)
    extras.update(evaluation(loaded))
    return {k: v for k, v in extras.items() if v is not None}


def describe(model: Any, input_shape: tuple[int, ...]) -> dict[str, Any]:
    """The layer stack: each child's kind, output shape (one zero sample sent through, in
    eval mode, no grad) and parameter count."""
    import chainrule as cr

    x = cr.zeros((1, *input_shape))
    layers = []
    with cr.no_grad():
        for name, module in model.named_children():
            x = module(x)
            layers.append({"name": name, "kind": type(module).__name__.lower(),
                           "output_shape": list(x.shape[1:]),
                           "params": sum(int(p.data.size) for p in module.parameters()),
                           "detail": module.extra_repr()})
    return {"input_shape": list(input_shape), "layers": layers}


def first_weights(loaded: Any) -> dict[str, Any] | None:
    """The first weight matrix with the image shape of its inputs, for image data only."""
    first = next((p for p in loaded.model.parameters() if p.data.ndim in (2, 4)), None)
    if first is None or loaded.input_shape != loaded.raw_shape:
        return None  # no weights, or inputs changed by PCA: not pictures any more
    w = first.data  # (units, features) like torch's Linear, or (units, C, H, W)
    if w.ndim == 4:
        return {"weights": w, "image_shape": None}
    if len(loaded.raw_shape) >= 2:
        return {"weights": w, "image_shape": list(loaded.raw_shape)}
    side = int(round(np.sqrt(w.shape[1])))
    if loaded.config.data.dataset in IMAGE_DATASETS and side * side == w.shape[1]:
        return {"weights": w, "image_shape": [side, side]}
    return None


def evaluation(loaded: Any) -> dict[str, Any]:
    """Predictions on the held-out split (classification only) and, for 2-D inputs, the
    class probabilities over a grid: ``{"predictions": ..., "boundary": ...}``."""
    from chainrule.config.build import build_data

    splits = build_data(loaded.config.data, loaded.config.train.seed)
    data, split = (splits.test, "test") if splits.test is not None else (splits.val, "validation")
    if data is None or splits.regression:
        return {}
    proba = predict_proba(loaded.model, data.x, preprocess=loaded.preprocess)
    names = list(data.classes) if data.classes is not None else None
    if names is not None and len(names) != proba.shape[1]:
        names = None
    out: dict[str, Any] = {"predictions": {"split": split, "y_true": np.asarray(data.y),
                                           "y_pred": proba.argmax(1), "class_names": names}}
    if loaded.raw_shape == (2,):
        from chainrule.viz.boundary import grid_points

        gx, gy, points = grid_points(data.x, BOUNDARY_RESOLUTION)
        proba = predict_proba(loaded.model, points, preprocess=loaded.preprocess)
        out["boundary"] = {"x": data.x, "y": np.asarray(data.y), "gx": gx, "gy": gy,
                           "proba": proba, "class_names": names}
    return out

