"""``einsum(equation, *operands)`` with torch's and NumPy's equation language.

Labels are letters; ``...`` stands for broadcast axes (aligned from the right, as NumPy
and torch); without ``->`` the output is the ``...`` axes followed by the labels that
occur once, in alphabetical order (capitals first). The equation is spelt out here into
one explicit label string per operand for ``ops/einsum.py``.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

from chainrule.autograd.ops.einsum import Einsum
from chainrule.autograd.tensor import Tensor

__all__ = ["einsum"]


def _explicit(equation: str, ndims: list[int]) -> tuple[tuple[str, ...], str]:
    """Per-operand label strings and the output's, with ``...`` replaced by spare letters."""
    eq = equation.replace(" ", "")
    bad = set(eq) - set(string.ascii_letters) - set(".,->")
    if bad:
        raise ValueError(f"einsum: invalid characters {sorted(bad)} in {equation!r}")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: {equation!r} names {len(terms)} operands, got {len(ndims)}")
    spare = [c for c in string.ascii_letters if c not in eq]
    ranks = []
    for i, (term, nd) in enumerate(zip(terms, ndims, strict=True)):
        labels = term.replace("...", "")
        if not labels.isalpha() and labels:
            raise ValueError(f"einsum: operand {i}'s term {term!r} is malformed")
        rank = nd - len(labels) if "..." in term else 0
        if rank < 0 or "..." not in term and len(labels) != nd:
            raise ValueError(f"einsum: term {term!r} has {len(labels)} labels but operand {i} "
                             f"has {nd} dimensions")
        ranks.append(rank)
    dots = "".join(spare[:max(ranks, default=0)])
    inputs = tuple(t.replace("...", dots[len(dots) - r:] if r else "")
                   for t, r in zip(terms, ranks, strict=True))
    if arrow:
        output = rhs.replace("...", dots)
        if not output.isalpha() and output:
            raise ValueError(f"einsum: output {rhs!r} is malformed")
        missing = set(output) - set("".join(inputs))
        if missing or len(set(output)) != len(output):
            raise ValueError(f"einsum: output {rhs!r} repeats a label or names one no operand "
                             f"has ({sorted(missing)})")
    else:
        counts = Counter("".join(inputs))
        output = dots + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in dots))
    return inputs, output


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the labels ``equation`` names: ``einsum("ij,jk->ik", a, b)`` is
    a @ b, ``einsum("ii", a)`` the trace, ``einsum("bij,bjk->bik", x, y)`` a batched matmul.
    Operands may also come as one list. Differentiable in every operand.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: needs at least one operand")
    first = next((t for t in operands if isinstance(t, Tensor)), None)
    tensors = [t if isinstance(t, Tensor) else first._other(t) if first else Tensor(t)
               for t in operands]
    inputs, output = _explicit(equation, [t.ndim for t in tensors])
    for i, (subs, t) in enumerate(zip(inputs, tensors, strict=True)):
        for label, n in zip(subs, t.shape, strict=True):
            m = next((u.shape[s.index(label)] for s, u in zip(inputs, tensors, strict=True)
                      if label in s and u.shape[s.index(label)] not in (1, n)), n)
            if m != n and n != 1:
                raise ValueError(f"einsum: label {label!r} has size {n} in operand {i} but "
                                 f"{m} elsewhere in {equation!r}")
    return Einsum.apply(*tensors, inputs=inputs, output=output)
