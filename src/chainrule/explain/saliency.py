"""Saliency: the gradient of an output with respect to the input, through the engine.

For a sample x and the chosen output f_k (the predicted class's logit by default, the first
output of a regressor), the saliency is d f_k / d x, computed by one backward pass with the
input as a leaf that requires grad (in the model's dtype: float64 for ``model.double()``).
"Gradient x input" is x * d f_k / d x (its sum over features is a first-order share of f_k
among the features). The model runs in eval mode
(dropout off, batch norm on running statistics) and its training flag is restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Saliency:
    """Result of :func:`saliency`: ``gradient`` and ``gradient_x_input`` shaped like x,
    and ``target``, the output index explained for each sample."""

    gradient: np.ndarray
    gradient_x_input: np.ndarray
    target: np.ndarray


def saliency(model: Any, x: Any, target: int | np.ndarray | None = None) -> Saliency:
    """Input gradients of ``model`` at a batch ``x``.

    Args:
        model: a chainrule model (``nn.Module``) taking the (already preprocessed) inputs.
        x: a batch (n, *features); for one sample pass ``x[None]``.
        target: the output index per sample (or one for all). Defaults to each sample's
            largest output (the predicted class; output 0 for a single-output model).
    """
    from chainrule.autograd.tensor import Tensor

    first = next(iter(model.parameters()), None)
    batch = np.asarray(x, dtype=first.data.dtype if first is not None else np.float32)
    if batch.ndim < 2:
        raise ValueError(f"saliency expects a batch (n, *features), got shape {batch.shape}; "
                         f"for one sample pass x[None]")
    inputs = Tensor(batch.copy(), dtype=batch.dtype, requires_grad=True)
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        out = model(inputs)
        flat = out.reshape(len(batch), -1)
        chosen = np.argmax(flat.data, axis=1) if target is None else np.broadcast_to(
            np.asarray(target, dtype=np.int64), (len(batch),))
        mask = np.zeros(flat.shape, dtype=flat.data.dtype)
        mask[np.arange(len(batch)), chosen] = 1.0
        (flat * Tensor(mask, dtype=mask.dtype)).sum().backward()
    finally:
        model.train(was_training)
    grad = np.asarray(inputs.grad.data if hasattr(inputs.grad, "data") else inputs.grad)
    return Saliency(grad, grad * batch, np.asarray(chosen))
