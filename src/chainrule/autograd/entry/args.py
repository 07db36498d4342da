"""User arguments as tensors: the one ``as_tensor`` / ``as_floating`` of the entry points,
:mod:`chainrule.autograd.api`, ``chainrule.functional`` and the losses."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor, _floating


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor without copying; data meeting ``like`` takes its floating dtype."""
    if isinstance(x, Tensor):
        return x
    return like._other(x) if like is not None else Tensor(x)


def as_floating(x: Any) -> Tensor:
    """``x`` as a floating tensor (integer data becomes float32, as in torch)."""
    return _floating(as_tensor(x))
