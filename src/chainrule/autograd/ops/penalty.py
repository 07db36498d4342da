"""The norm penalty: one node for the weight penalty of many tensors (L1 or L2)."""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


class NormPenalty(Function):
    """scale * sum_i ||p_i||_order^order over many tensors in one node (order 1 or 2).

    Gradient: 2 scale p (order 2) or scale sign(p) (order 1).
    """

    def forward(self, *params: np.ndarray, scale: float, order: int) -> np.ndarray:
        self.params, self.scale, self.order = params, scale, order
        if order == 2:
            total = sum(float(np.vdot(p, p)) for p in params)
        else:
            total = sum(float(np.abs(p).sum()) for p in params)
        return np.asarray(scale * total, dtype=np.result_type(*params))

    def _derivative(self, p: np.ndarray) -> np.ndarray:
        return p * p.dtype.type(2 * self.scale) if self.order == 2 else \
            np.sign(p) * p.dtype.type(self.scale)

    def backward(self, g: np.ndarray) -> tuple:
        return tuple((g * self._derivative(p)).astype(p.dtype, copy=False) if needed else None
                     for p, needed in zip(self.params, self.needs_input_grad, strict=True))

    def jvp(self, *tangents: np.ndarray) -> np.ndarray:
        total = sum(float(np.vdot(self._derivative(p), t))
                    for p, t in zip(self.params, tangents, strict=True))
        return np.asarray(total, dtype=np.result_type(*self.params))
