"""Input checks shared by predict and fit: clear errors before anything changes.

``fit`` validates every input before the first step (and before any callback
writes a file): the training and validation sets must be numeric and finite
(``ArrayDataset`` checks that), have the same sample shape, and go through the
model and the loss on two samples each (eval mode, no graph, no random draws),
so a validation set that does not fit the model fails at once instead of after
a whole epoch of training.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd.convert import numeric_array
from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor


def check_inputs(x: Any, owner: str, dtype: Any = np.float32) -> np.ndarray:
    """``x`` as a numeric ndarray of ``dtype`` (samples first), or a clear error.

    Raises:
        ValueError: ``x`` holds strings, objects, complex numbers or ragged rows (the
            message names its dtype, shape and an example value), or has no sample axis.
    """
    if isinstance(x, Tensor):
        x = x.data
    try:
        arr = numeric_array(x)
    except (TypeError, ValueError) as e:  # a ValueError, so the CLI reports it in one line
        raise ValueError(f"{owner}: inputs must be numeric: {e}") from None
    if arr.ndim == 0:
        raise ValueError(f"{owner}: inputs need a sample axis, got a scalar {arr.item()!r}")
    return arr if arr.dtype == dtype else arr.astype(dtype)


def check_fit_data(model: Any, loss_fn: Callable, train: Any, val: Any,
                   transform: Callable | None = None) -> None:
    """Check the training and validation datasets against each other, the model and the loss.

    Raises:
        ValueError: different sample shapes, or a forward pass / loss on two samples fails
            (the message names the set and the shapes).
        TypeError: a transform that is not callable.
    """
    if transform is not None and not callable(transform):
        raise TypeError(f"fit: transform must be callable as transform(x, y, rng), got "
                        f"{type(transform).__name__}")
    if val is not None and train.x.shape[1:] != val.x.shape[1:]:
        raise ValueError(f"fit: validation samples have shape {val.x.shape[1:]} but training "
                         f"samples have shape {train.x.shape[1:]}")
    if val is not None and (train.y.dtype.kind == "f") != (val.y.dtype.kind == "f") \
            and train.y.ndim == val.y.ndim:
        raise ValueError(f"fit: validation targets are {val.y.dtype} but training targets "
                         f"are {train.y.dtype} (labels and real targets do not mix)")
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        for name, ds, tf in (("training", train, transform), ("validation", val, None)):
            if ds is not None:
                _dry_run(model, loss_fn, ds, tf, name)
    finally:
        model.train(was_training)


def _dry_run(model: Any, loss_fn: Callable, ds: Any, transform: Callable | None,
             name: str) -> None:
    x, y = ds.x[:2], ds.y[:2]
    if transform is not None:  # its own generator: the global stream is not touched
        x, y = transform(x, y, np.random.default_rng(0))
        if len(x) == 0:
            raise ValueError(f"fit: the transform returned 0 samples for a batch of "
                             f"{len(ds.x[:2])}; batches must not be empty")
    try:
        with no_grad():
            out = model(Tensor._wrap(np.ascontiguousarray(x)))
            loss_fn(out, Tensor._wrap(np.asarray(y)))
    except (ValueError, IndexError, TypeError) as e:
        raise ValueError(f"fit: the {name} data (samples of shape {ds.x.shape[1:]}, targets "
                         f"of shape {ds.y.shape[1:]} {ds.y.dtype}) does not fit the model or "
                         f"the loss: {e}") from e
