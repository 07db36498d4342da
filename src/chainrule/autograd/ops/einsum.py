"""Einstein summation over any number of operands, differentiated by einsum itself.

The gradient of operand k is the einsum of the output gradient with the other operands,
written into operand k's labels. Three cases need more than that one call: a label only
operand k has (summed away there: its gradient is broadcast back), a label repeated
within operand k (a diagonal: the gradient is written onto it, zero elsewhere) and a
size-1 axis that met a larger one (broadcast: summed back to size 1).

Subscripts reach this op explicit: one string of letters per operand and one for the
output, with any ``...`` already spelt out as letters (see ``entry/einsum.py``).
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import Function


class Einsum(Function):
    """``np.einsum("ij,jk->ik", a, b)`` with ``inputs=("ij", "jk")`` and ``output="ik"``."""

    def forward(self, *arrays: np.ndarray, inputs: tuple[str, ...], output: str) -> np.ndarray:
        self.arrays, self.subs, self.output = arrays, inputs, output
        self.sizes: dict[str, int] = {}
        for subs, a in zip(inputs, arrays, strict=True):
            for label, n in zip(subs, a.shape, strict=True):
                if n != 1 or label not in self.sizes:  # a size-1 axis broadcasts
                    self.sizes[label] = n
        return self._einsum(arrays)

    def _einsum(self, arrays: tuple[np.ndarray, ...] | list[np.ndarray]) -> np.ndarray:
        equation = f"{','.join(self.subs)}->{self.output}"
        return np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 2))

    def _grad(self, k: int, g: np.ndarray) -> np.ndarray:
        subs, a = self.subs[k], self.arrays[k]
        unique = "".join(dict.fromkeys(subs))
        others = [i for i in range(len(self.arrays)) if i != k]
        reachable = set(self.output).union(*(self.subs[i] for i in others))
        keep = "".join(label for label in unique if label in reachable)
        equation = ",".join([self.output, *(self.subs[i] for i in others)]) + "->" + keep
        part = np.einsum(equation, g, *(self.arrays[i] for i in others),
                         optimize=len(others) > 1)
        part = part.reshape([self.sizes[label] if label in keep else 1 for label in unique])
        own = [a.shape[subs.index(label)] for label in unique]  # operand k's own sizes
        broadcast = tuple(i for i, (label, n) in enumerate(zip(unique, own, strict=True))
                          if n == 1 and self.sizes[label] != 1 and label in keep)
        if broadcast:
            part = part.sum(axis=broadcast, keepdims=True)
        part = np.broadcast_to(part, own)
        if len(unique) == len(subs):
            return np.ascontiguousarray(part)
        out = np.zeros(a.shape, dtype=g.dtype)  # repeated labels: write onto the diagonal
        grids = np.ogrid[tuple(slice(n) for n in own)]
        grids = list(grids) if isinstance(grids, (list, tuple)) else [grids]
        out[tuple(grids[unique.index(label)] for label in subs)] = part
        return out

    def backward(self, g: np.ndarray) -> tuple:
        needs = self.needs_input_grad
        return tuple(self._grad(k, g) if needs[k] else None for k in range(len(self.arrays)))

    def jvp(self, *tangents: np.ndarray) -> np.ndarray:
        total = None
        for k, t in enumerate(tangents):
            if not t.any():
                continue
            term = self._einsum([t if i == k else a for i, a in enumerate(self.arrays)])
            total = term if total is None else total + term
        return total if total is not None else np.zeros(self._einsum(self.arrays).shape,
                                                        self.arrays[0].dtype)
