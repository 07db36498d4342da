"""Parameter: a tensor that a Module registers as learnable."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor


class Parameter(Tensor):
    """A tensor that a :class:`Module` registers as one of its learnable parameters.

    Args:
        data: initial values. A ``Tensor`` keeps its dtype (its data is shared,
            not copied); other array-likes follow ``cr.tensor``'s rule (floats
            become float32).
        requires_grad: whether the optimizer should train it. Defaults to ``True``.

    Example:
        >>> import numpy as np
        >>> w = Parameter(np.zeros((2, 3)))
        >>> w.requires_grad, w.dtype
        (True, dtype('float32'))
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True):
        dtype = data.dtype if isinstance(data, Tensor) else None
        super().__init__(data, dtype=dtype, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
