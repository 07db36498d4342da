"""einsum over random equations of 1-3 operands (diagonals, sums, broadcasting, ``...``)
against gradcheck and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_jvp, check_op, torch


@st.composite
def equations(draw):
    """A random equation over 1-3 operands with labels from 'abcd' (repeats allowed) and the
    operand shapes that fit it; explicit or implicit output."""
    sizes = {c: draw(st.integers(1, 3)) for c in "abcd"}
    n = draw(st.integers(1, 3))
    terms = [draw(st.text("abcd", min_size=0, max_size=3)) for _ in range(n)]
    used = sorted(set("".join(terms)))
    if draw(st.booleans()):
        out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
        equation = ",".join(terms) + "->" + out
    else:
        equation = ",".join(terms)
    return equation, [tuple(sizes[c] for c in t) for t in terms]


@FAST
@given(case=equations(), seed=st.integers(0, 1000))
def test_random_equations(case, seed):
    equation, shapes = case
    check_op(shapes, lambda *xs: torch.einsum(equation, *xs),
             lambda *xs: cr.einsum(equation, *xs), seed=seed)


@pytest.mark.parametrize("equation,shapes", [
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...ij,...jk", [(3, 4), (2, 4, 3)]),
    ("b...,b...->b", [(2, 3, 2), (2, 3, 2)]),
    ("i...->...", [(3, 2)]),
    ("ij,ij->ij", [(1, 3), (4, 3)]),
    ("ij,jk", [(2, 0), (0, 3)]),
    ("Ab,bA", [(2, 3), (3, 2)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
])
def test_ellipsis_broadcasting_and_edges(equation, shapes):
    check_op(shapes, lambda *xs: torch.einsum(equation, *xs),
             lambda *xs: cr.einsum(equation, *xs))


def test_list_form_jvp_and_matmul_identity():
    check_op([(2, 3), (3, 4)], lambda a, b: torch.einsum("ij,jk->ik", [a, b]),
             lambda a, b: cr.einsum("ij,jk->ik", [a, b]))
    check_jvp([(2, 3), (3, 4), (4,)], lambda a, b, c: cr.einsum("ij,jk,k->i", a, b, c))
    check_jvp([(3, 3)], lambda a: cr.einsum("ii->i", a))
    a, b = cr.randn(2, 3), cr.randn(3, 4)
    np.testing.assert_allclose(cr.einsum("ij,jk", a, b).data, (a @ b).data, rtol=1e-5)


def test_errors_name_the_problem():
    a = cr.ones(2, 3)
    with pytest.raises(ValueError, match=r"term 'ijk' has 3 labels but operand 0 has 2"):
        cr.einsum("ijk->i", a)
    with pytest.raises(ValueError, match=r"names 2 operands, got 1"):
        cr.einsum("ij,jk", a)
    with pytest.raises(ValueError, match=r"label 'j' has size 3 in operand 0 but 2"):
        cr.einsum("ij,jk", a, cr.ones(2, 2))
    with pytest.raises(ValueError, match=r"output 'z' repeats a label or names one"):
        cr.einsum("ij->z", a)
    with pytest.raises(ValueError, match=r"invalid characters \['1'\]"):
        cr.einsum("i1", a)
