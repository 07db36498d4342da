"""Runs of layers that ``nn.Sequential`` computes as one op: Conv2d, ReLU and MaxPool2d(2).

A ``Conv2d`` followed by a ``ReLU``, and then possibly by a 2x2 / stride-2
``MaxPool2d``, runs as ``F.conv2d_relu`` (autograd/ops/conv_fused.py): same
values and gradients, bit for bit, with the intermediate outputs kept in the
cache instead of written out and read back. Only the exact classes qualify,
and only while none of the modules has a forward hook or pre-hook, so that a
hook (``transfer.features``, the Monitor, the user's) still sees every layer's
own output. Measured on the MNIST CNN at batch 64: see the README's CNN section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chainrule import functional as F
from chainrule.nn.activations import ReLU
from chainrule.nn.conv import Conv2d
from chainrule.nn.module import Module
from chainrule.nn.pooling import MaxPool2d


def _plain(module: Module, kind: type) -> bool:
    return type(module) is kind and not module._forward_hooks \
        and not module._forward_pre_hooks


def _pairwise_pool(module: Module) -> bool:
    return _plain(module, MaxPool2d) and module.kernel_size == module.stride == (2, 2) \
        and module.padding == (0, 0) and module.dilation == (1, 1)


def fused_run(modules: Sequence[Module], i: int) -> tuple[Callable[[Any], Any], int] | None:
    """(a function computing modules[i:i + k] as one op, k) when a fusible run starts at
    ``i``, else None."""
    if i + 1 >= len(modules) or not (_plain(modules[i], Conv2d) and _plain(modules[i + 1], ReLU)):
        return None
    conv = modules[i]
    pool = i + 2 < len(modules) and _pairwise_pool(modules[i + 2])

    def run(x: Any) -> Any:
        return F.conv2d_relu(x, conv.weight, conv.bias, conv.stride, conv.padding,
                             conv.dilation, conv.groups, pool=pool)
    return run, 3 if pool else 2
