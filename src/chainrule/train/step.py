"""One training step, written once: the Trainer, the diagnosis and data-parallel code call it.

A step on a batch ``(x, y)`` with regularisers ``R`` is::

    r.on_train_batch_begin(model)          for r in R   (e.g. WeightNoise perturbs)
    output = model(x)
    total  = loss_fn(output, y) + sum_r r.penalty(model)  (total_loss)
    optimizer.zero_grad(); total.backward()
    r.on_after_backward(model)             for r in R   (e.g. WeightNoise restores)
    after_backward(logs)                   (the Trainer's callbacks: gradients in place)
    clip_grad_norm_(params, max_norm)      (when clip_grad_norm is set)
    optimizer.step()
    r.on_train_batch_end(model)            for r in R   (e.g. MaxNorm renormalises)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.optim.clipping import clip_grad_norm_

Logs = dict[str, float]


def total_loss(model: Any, loss_fn: Callable[[Tensor, Any], Tensor], output: Tensor,
               target: Any, regularizers: Sequence[Any] = ()) -> tuple[Tensor, Logs]:
    """The data loss plus every regulariser's penalty: ``loss_fn(output, target) + sum_r
    r.penalty(model)``.

    Returns:
        ``(total, logs)``: the scalar tensor to differentiate, and ``{"loss": data loss,
        "penalty/<name>": penalty}`` as floats (a regulariser whose ``penalty`` is
        ``None`` adds nothing and logs nothing).
    """
    loss = loss_fn(output, target)
    total = loss
    logs = {"loss": float(loss.data)}
    for reg in regularizers:
        term = reg.penalty(model)
        if term is not None:
            total = total + term
            logs[f"penalty/{reg.name}"] = float(term.data)
    return total, logs


def train_step(model: Any, optimizer: Any, loss_fn: Callable[[Tensor, Any], Tensor],
               xb: Tensor, yb: Any, *, regularizers: Sequence[Any] = (),
               clip_grad_norm: float | None = None,
               after_backward: Callable[[Logs], None] | None = None) -> tuple[Logs, Tensor]:
    """One optimizer step on the batch ``(xb, yb)``, in the order of the module docstring.

    Args:
        model: the module being trained (in training mode).
        optimizer: a ``chainrule.optim`` optimizer over its parameters.
        loss_fn: ``loss_fn(output, target) -> scalar Tensor``.
        xb, yb: the batch.
        regularizers: ``nn.regularize`` terms (penalties and hooks). Defaults to none.
        clip_grad_norm: rescale the gradients to at most this global L2 norm before
            the step; the norm before clipping is logged as ``grad_norm``. Defaults to ``None``.
        after_backward: called with the logs after the backward pass and the
            regularisers' ``on_after_backward``, before clipping and the step. Defaults to ``None``.

    Returns:
        ``(logs, output)``: ``{"loss", "penalty/<name>", "grad_norm"?}`` and the model's output.
    """
    for reg in regularizers:
        reg.on_train_batch_begin(model)
    output = model(xb)
    total, logs = total_loss(model, loss_fn, output, yb, regularizers)
    optimizer.zero_grad()
    total.backward()
    for reg in regularizers:
        reg.on_after_backward(model)
    if after_backward is not None:
        after_backward(logs)
    if clip_grad_norm is not None:
        logs["grad_norm"] = clip_grad_norm_(model.parameters(), clip_grad_norm)
    optimizer.step()
    for reg in regularizers:
        reg.on_train_batch_end(model)
    return logs, output
