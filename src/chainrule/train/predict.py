"""One predict path: raw inputs -> preprocessing -> batched forward in eval mode -> outputs.

``Trainer.predict``, a reloaded run (``load_run``), the CLI, the scikit-learn
estimators and the explanations all call :func:`predict` /
:func:`predict_proba`, so preprocessing, batching, eval mode and ``no_grad``
are done the same way everywhere, and the model's training flag is restored
afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.data import DataLoader
from chainrule.train.inputs import check_inputs


def _param_dtype(model: Any) -> Any:
    params = getattr(model, "parameters", None)
    first = next(iter(params()), None) if callable(params) else None
    return np.float32 if first is None else first.data.dtype


def _batches(data: Any, batch_size: int, dtype: Any) -> Iterator[np.ndarray]:
    """The inputs of ``data`` (array, Tensor, dataset with ``.x`` or DataLoader) in batches."""
    if isinstance(data, DataLoader):
        for xb, _ in data:
            yield check_inputs(xb, "predict", dtype)
        return
    x = data.x if hasattr(data, "x") and not isinstance(data, (np.ndarray, Tensor)) else data
    x = check_inputs(x, "predict", dtype)
    for lo in range(0, len(x), batch_size):
        yield x[lo:lo + batch_size]


def predict(model: Any, data: Any, *, preprocess: Any = None, batch_size: int = 256
            ) -> np.ndarray:
    """Raw model outputs for ``data``, batched, in eval mode, without building a graph.

    Args:
        model: a module (its training flag is restored afterwards).
        data: an ndarray, a Tensor, a dataset with ``.x`` or a ``DataLoader`` of raw inputs.
        preprocess: a fitted preprocessing step or ``Pipeline``; its ``transform`` is
            applied to each batch first. Defaults to ``None``.
        batch_size: samples per forward pass. Defaults to ``256``.

    Returns:
        The outputs stacked along axis 0 (``(N, C)`` logits for a classifier).

    Raises:
        ValueError: non-numeric inputs, or a ``batch_size`` below 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"predict: batch_size must be a positive int, got {batch_size!r}")
    dtype = _param_dtype(model)
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        outputs = []
        with no_grad():
            for xb in _batches(data, batch_size, dtype):
                if preprocess is not None:
                    xb = check_inputs(preprocess.transform(xb), "predict", dtype)
                outputs.append(model(Tensor._wrap(xb)).data)
    finally:
        model.train(was_training)
    if not outputs:
        raise ValueError("predict: no inputs (0 samples)")
    return np.concatenate(outputs)


def probabilities(outputs: np.ndarray) -> np.ndarray:
    """Class probabilities from logits: softmax over axis 1, or ``[1 - p, p]`` with
    ``p = sigmoid(z)`` for a single logit per sample."""
    z = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    if z.shape[1] == 1:
        p = 0.5 * (1.0 + np.tanh(0.5 * z[:, 0]))  # sigmoid without overflow
        return np.stack([1.0 - p, p], axis=1)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict_proba(model: Any, data: Any, *, preprocess: Any = None, batch_size: int = 256
                  ) -> np.ndarray:
    """Class probabilities for ``data``: :func:`predict`, then softmax over classes; a
    single-logit binary model gives two columns ``[1 - p, p]``. Shape ``(N, C)``, float64.
    Defaults: preprocess=None, batch_size=256."""
    return probabilities(predict(model, data, preprocess=preprocess, batch_size=batch_size))
