"""Tensor methods and operators of the entry points, attached to ``Tensor`` in one place.

Every public op function here takes the tensor as its first argument, so it serves as
the method unchanged (``x.cumsum(1)`` is ``cumsum(x, 1)``). A name that ``Tensor``
already defines is an error at import: two definitions of one method would silently
shadow each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chainrule.autograd.entry import elementwise as _el
from chainrule.autograd.entry import index as _ix
from chainrule.autograd.entry import logical as _lo
from chainrule.autograd.entry import rearrange as _re
from chainrule.autograd.entry import scan as _sc
from chainrule.autograd.entry import sort as _so
from chainrule.autograd.tensor import Tensor


def _reflected(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    method.__name__ = f"r{fn.__name__}"
    return method


METHODS: dict[str, Callable] = {
    **{name: getattr(_el, name) for name in _el.__all__},
    **{name: getattr(_lo, name) for name in _lo.__all__},
    **{name: getattr(_ix, name) for name in _ix.__all__ if name != "one_hot"},
    **{name: getattr(_re, name) for name in _re.__all__},
    "repeat": _re.repeat,
    "expand": _re.expand,
    **{name: getattr(_sc, name) for name in _sc.__all__},
    **{name: getattr(_so, name) for name in _so.__all__},
    "__mod__": _el.remainder,
    "__rmod__": _reflected(_el.remainder),
    "__floordiv__": _el.floor_divide,
    "__rfloordiv__": _reflected(_el.floor_divide),
    "__and__": _lo.bitwise_and,
    "__rand__": _reflected(_lo.bitwise_and),
    "__or__": _lo.bitwise_or,
    "__ror__": _reflected(_lo.bitwise_or),
    "__xor__": _lo.bitwise_xor,
    "__rxor__": _reflected(_lo.bitwise_xor),
    "__invert__": _lo.bitwise_not,
}


def attach(methods: dict[str, Callable]) -> None:
    """Set each function as a ``Tensor`` method; refuse to replace one Tensor defines."""
    for name, fn in methods.items():
        if any(name in vars(cls) for cls in Tensor.__mro__ if cls is not object):
            raise RuntimeError(f"Tensor.{name} is defined twice (tensor.py or tensor_methods.py, "
                               "and entry/methods.py)")
        setattr(Tensor, name, fn)


attach(METHODS)
