"""Transfer learning: a trained network's activations as features for another model.

Deck 001's recipe: train on a rich source task, then either fine-tune the last
layers on the small target task (:func:`transfer_weights`, then
``model.freeze(upto=...)``; optimizers skip frozen parameters), or use the network
as a fixed feature extractor and fit a linear model or an SVM on :func:`features`.

Layer: imports ``nn`` and ``autograd`` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module

__all__ = ["features", "head_name", "transfer_weights"]


class _Reached(Exception):
    """Raised by the hook once the layer has run: the rest of the network is not needed."""


def _batches(data: Any, batch_size: int) -> Iterator[np.ndarray]:
    """Input batches of an ndarray, a Tensor, a dataset with ``.x`` or an iterable of batches."""
    if isinstance(data, Tensor):
        data = data.data
    if hasattr(data, "x") and not isinstance(data, np.ndarray):
        data = data.x
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)) and data and \
            not isinstance(data[0], (tuple, list, Tensor, np.ndarray)):
        array = np.asarray(data)
        for i in range(0, len(array), batch_size):
            yield array[i:i + batch_size]
        return
    if not isinstance(data, Iterable):
        raise TypeError(f"features: data must be an array, a Tensor, a dataset with .x or an "
                        f"iterable of batches, got {type(data).__name__}")
    for batch in data:  # a DataLoader gives (x, y) pairs
        xb = batch[0] if isinstance(batch, (tuple, list)) else batch
        yield xb.data if isinstance(xb, Tensor) else np.asarray(xb)


def features(model: Module, data: Any, layer: str, *, batch_size: int = 256,
             flatten: bool = True) -> np.ndarray:
    """The activations of ``model`` at the output of submodule ``layer``, for every sample.

    Runs the model in eval mode without gradients, batch by batch, stopping
    each forward pass at ``layer``; the training flag is restored afterwards.

    Args:
        model: the trained network.
        data: an array or Tensor of inputs, a dataset with ``.x``, or an iterable of
            batches (a DataLoader's ``(x, y)`` pairs use ``x``).
        layer: the submodule's name as in ``model.named_modules()`` (``"5"``, ``"features.3"``).
        batch_size: samples per forward pass for array input. Defaults to 256.
        flatten: return (N, features) rows, as scikit-learn expects; ``False`` keeps
            each sample's shape (e.g. (N, C, H, W)). Defaults to ``True``.

    Returns:
        float array of shape (N, D) (or (N, *sample_shape)).

    Example:
        >>> feats = features(model, x_train, layer="7")  # doctest: +SKIP
        >>> LogisticRegression().fit(feats, y_train)      # doctest: +SKIP
    """
    modules = dict(model.named_modules())
    if layer not in modules or layer == "":
        names = [name for name in modules if name]
        raise ValueError(f"features: model has no layer {layer!r}; its layers are {names}")
    captured: list[np.ndarray] = []

    def hook(module: Module, inputs: tuple, output: Any) -> None:
        captured.append(np.array(output.data if isinstance(output, Tensor) else output))
        raise _Reached

    was_training = model.training
    handle = modules[layer].register_forward_hook(hook)
    model.eval()
    try:
        with no_grad():
            for xb in _batches(data, batch_size):
                try:
                    model(xb)
                except _Reached:
                    pass
    finally:
        handle.remove()
        model.train(was_training)
    if not captured:
        raise ValueError("features: data holds no samples")
    out = np.concatenate(captured)
    return out.reshape(len(out), -1) if flatten else out


def head_name(model: Module) -> str:
    """The name of the last submodule that has parameters of its own (the output layer)."""
    named = [name for name, m in model.named_modules() if name and m._parameters and
             any(p is not None for p in m._parameters.values())]
    if not named:
        raise ValueError(f"{type(model).__name__} has no layer with parameters")
    return named[-1]


def transfer_weights(source: Module, target: Module, *, reset_head: bool = True) -> list[str]:
    """Copy ``source``'s parameters and buffers into ``target`` name by name.

    With ``reset_head`` the target's last weighted layer (:func:`head_name`) keeps its
    fresh initialisation: it usually has a different number of outputs (new classes).
    Every other entry of the target must exist in the source with the same shape;
    otherwise a ValueError names each key and both shapes, and nothing is copied.

    Returns:
        the names copied.
    """
    skip = head_name(target) + "." if reset_head else None
    theirs, ours = source.state_dict(), target.state_dict()
    keys = [k for k in ours if skip is None or not k.startswith(skip)]
    problems = [f"{k!r} missing from the source" for k in keys if k not in theirs]
    problems += [f"{k!r}: shape {theirs[k].shape} in the source, {ours[k].shape} in the target"
                 for k in keys if k in theirs and theirs[k].shape != ours[k].shape]
    if problems:
        raise ValueError("transfer_weights: the networks do not match (nothing was copied): "
                         + "; ".join(problems))
    target.load_state_dict({k: theirs[k] for k in keys}, strict=False)
    return keys
