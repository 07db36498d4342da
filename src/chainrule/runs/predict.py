"""Predict with a trained run on raw inputs (the run's preprocessing is applied first)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainrule.autograd.convert import numeric_array
from chainrule.data.tabular import TABLE_SUFFIXES, encode_table
from chainrule.runs.train import LoadedRun, load_run


def read_inputs(path: str | Path) -> np.ndarray:
    """A ``.npy`` file of raw samples as a finite float32 array, or a clear error.

    Never unpickles: object arrays are refused.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a ``.npy`` array, not numeric (strings, objects), no sample
            axis, or NaN/inf values (the message says how many and where the first is).
    """
    path = Path(path)
    try:
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"input file {path} does not exist") from None
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"cannot read {path} as a .npy array: {exc}") from None
    return as_inputs(x, str(path))


def as_inputs(x: object, source: str = "inputs") -> np.ndarray:
    """``x`` as a finite float32 array of samples, or a ValueError naming ``source``."""
    try:
        x = numeric_array(x)
    except (TypeError, ValueError) as exc:  # strings, objects, ragged rows...
        raise ValueError(f"{source} are not an array of numbers: {exc}") from None
    if x.ndim == 0:
        raise ValueError(f"{source} hold a single number; expected an array of samples")
    x = x.astype(np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{source} have {int(bad.sum())} non-finite values (NaN or inf) of "
                         f"{x.size}, the first at index {first}")
    return x


def fit_shape(x: np.ndarray, expected: tuple[int, ...], source: str = "inputs") -> np.ndarray:
    """``x`` with samples of shape ``expected``: reshaped when only the layout differs
    (flat pixels for images or the reverse), else a ValueError naming both shapes."""
    if x.shape[1:] != expected and int(np.prod(x.shape[1:])) == int(np.prod(expected)):
        x = x.reshape((len(x),) + expected)
    if x.shape[1:] != expected:
        raise ValueError(f"{source} of shape {x.shape} do not fit the model, which takes "
                         f"samples of shape {expected}")
    return x


def predict_run(run: str | Path | LoadedRun, inputs: np.ndarray | str | Path) -> np.ndarray:
    """Class labels (classification) or outputs (regression) of a trained run.

    Args:
        run: a run directory made by :func:`~chainrule.runs.train.train_run`, or a
            :class:`~chainrule.runs.train.LoadedRun`.
        inputs: raw samples (before the run's preprocessing), or a ``.npy`` file of them;
            for a run trained on a table, also a CSV/parquet/npz table with its columns.

    Returns:
        ``(N,)`` labels when the model has several outputs per sample (a table's class
        names), else its outputs.
    """
    from chainrule.train.predict import predict

    loaded = run if isinstance(run, LoadedRun) else load_run(run)
    source = str(inputs) if isinstance(inputs, (str, Path)) else "inputs"
    tabular = loaded.info.get("tabular")
    if tabular is not None and isinstance(inputs, (str, Path)) and \
            Path(inputs).suffix.lower() in TABLE_SUFFIXES:  # a table with the training columns
        x = encode_table(inputs, tabular)
    else:
        x = read_inputs(inputs) if isinstance(inputs, (str, Path)) else as_inputs(inputs)
    x = fit_shape(x, loaded.raw_shape, source)
    out = predict(loaded.model, x, preprocess=loaded.preprocess)
    if out.ndim == 2 and out.shape[1] > 1:
        labels = out.argmax(axis=1)
        return np.asarray(tabular["classes"])[labels] if tabular and tabular["classes"] \
            else labels
    return out
