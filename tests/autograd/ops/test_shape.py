"""Movement ops and indexing against torch: each backward is the inverse rearrangement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from tests.autograd.check import FAST, check_op, nonscalar_shapes, shapes, torch


@FAST
@given(shape=shapes, seed=st.integers(0, 1000))
def test_reshape_and_flatten(shape, seed):
    n = int(np.prod(shape))
    check_op([shape], lambda a: a.reshape(n, 1), seed=seed)
    check_op([shape], lambda a: a.reshape(-1), seed=seed)
    check_op([shape], lambda a: a.flatten(), seed=seed)


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (1, 2), (-2, -1)])
def test_flatten_range(start, end):
    check_op([(2, 3, 4)], lambda a: a.flatten(start, end))


@FAST
@given(data=st.data(), shape=nonscalar_shapes, seed=st.integers(0, 1000))
def test_transpose_and_permute(data, shape, seed):
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    check_op([shape], lambda a: a.permute(*perm), seed=seed)
    check_op([shape], lambda a: a.permute(perm), lambda a: a.transpose(perm), seed=seed)
    check_op([shape], lambda a: a.permute(*reversed(range(a.ndim))), lambda a: a.T, seed=seed)


@FAST
@given(data=st.data(), shape=shapes, seed=st.integers(0, 1000))
def test_broadcast_to(data, shape, seed):
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(lead) + tuple(data.draw(st.sampled_from([n, 3])) if n == 1 else n
                                 for n in shape)
    check_op([shape], lambda a: a.broadcast_to(target), lambda a: a.broadcast_to(target),
             seed=seed)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate(axis):
    shapes_ = [(2, 3), (2, 3), (2, 3)]
    shapes_[1] = tuple(5 if i == axis % 2 else n for i, n in enumerate(shapes_[1]))
    check_op(shapes_, lambda *xs: torch.cat(xs, dim=axis),
             lambda *xs: cr.concatenate(list(xs), axis=axis))


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis):
    check_op([(2, 3)] * 3, lambda *xs: torch.stack(xs, dim=axis),
             lambda *xs: cr.stack(list(xs), axis=axis))


def test_concatenate_and_stack_accept_arrays_and_keep_float32():
    x = cr.ones(2, requires_grad=True)
    assert cr.concatenate([x, np.zeros(3)]).dtype == np.float32
    out = cr.stack([np.zeros(2), x])
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


@pytest.mark.parametrize("axis", [None, 0, 2, -1, (0, 2)])
def test_squeeze(axis):
    dims = axis if axis is not None else tuple(range(4))
    check_op([(1, 3, 1, 1)], lambda a: torch.squeeze(a, dims), lambda a: a.squeeze(axis))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_unsqueeze(axis):
    check_op([(2, 3)], lambda a: a.unsqueeze(axis))


@pytest.mark.parametrize("widths,value", [(((1, 2), (0, 3)), 0.0), (1, 0.5), (((2, 0),), -1.0)])
def test_pad(widths, value):
    arr = np.broadcast_to(np.asarray(widths), (2, 2)) if np.ndim(widths) != 2 or \
        np.shape(widths)[0] != 2 else np.asarray(widths)
    torch_pad = tuple(int(v) for pair in arr[::-1] for v in pair)  # last axis first
    check_op([(2, 3)], lambda a: torch.nn.functional.pad(a, torch_pad, value=value),
             lambda a: cr.pad(a, widths, value))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_take_along_axis(axis):
    idx = np.random.default_rng(0).integers(0, 3, size=(5, 4) if axis == 0 else (4, 5))
    check_op([(3, 4) if axis == 0 else (4, 3)],
             lambda a: torch.take_along_dim(a, torch.from_numpy(idx), dim=axis),
             lambda a: cr.take_along_axis(a, idx, axis))


def test_take_along_axis_errors():
    x = cr.ones(2, 3)
    with pytest.raises(TypeError, match="indices must be integers"):
        cr.take_along_axis(x, np.zeros((2, 1)), 1)
    with pytest.raises(ValueError, match=r"indices of shape \(2,\).*shape \(2, 3\)"):
        cr.take_along_axis(x, np.zeros(2, dtype=np.int64), 1)


# ************************************************************* getitem

def _indices() -> dict:
    rng = np.random.default_rng(0)
    return {
        "int": 1,
        "negative int": -1,
        "slice": slice(1, None),
        "step slice": (slice(None, None, -2), slice(0, 3)),
        "tuple": (1, slice(None), 2),
        "None and Ellipsis": (None, Ellipsis, 1),
        "Ellipsis first axis": (Ellipsis, slice(0, 2), None),
        "int array with repeats": np.array([0, 2, 0, 0]),
        "2-D int array": np.array([[0, 1], [1, 1]]),
        "arrays in a tuple": (np.array([0, 2, 2]), slice(None), np.array([1, 1, 0])),
        "bool mask": rng.random((3, 4, 5)) > 0.5,
        "bool mask on an axis": (slice(None), np.array([True, False, True, True])),
        "list": [2, 0, 2],
    }


@pytest.mark.parametrize("name", list(_indices()))
def test_getitem(name):
    index = _indices()[name]

    def as_torch(i):
        if isinstance(i, np.ndarray):
            return torch.from_numpy(i.copy())
        if isinstance(i, slice) and i.step is not None and i.step < 0:
            return None  # torch has no negative steps; flip instead (below)
        return i

    if name == "step slice":
        def theirs(a):
            return a.flip(0)[::2][:, 0:3]
    elif isinstance(index, tuple):
        def theirs(a):
            return a[tuple(as_torch(i) for i in index)]
    else:
        def theirs(a):
            return a[as_torch(index)]

    check_op([(3, 4, 5)], theirs, lambda a: a[index])


def test_getitem_repeated_indices_accumulate():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_getitem_with_a_tensor_index():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[cr.tensor([2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 2.0])


def test_movement_errors_name_the_shapes():
    x = cr.ones(2, 3)
    with pytest.raises(ValueError, match=r"shape \(2, 3\) \(6 elements\) into shape \(4,\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match=r"axes \(0, 0, 1\) are not a permutation"):
        x.transpose(0, 0, 1)
    with pytest.raises(ValueError, match=r"\(2, 3\) cannot be broadcast to \(4, 3\)"):
        x.broadcast_to((4, 3))
    with pytest.raises(ValueError, match=r"axis 1 of shape \(2, 3\) has size 3"):
        x.squeeze(1)
    with pytest.raises(ValueError, match=r"shapes \(2, 3\), \(3, 3\)"):
        cr.concatenate([x, cr.ones(3, 3)], axis=1)
    with pytest.raises(ValueError, match="same shape"):
        cr.stack([x, cr.ones(3, 2)])
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        x[5]
    with pytest.raises(ValueError, match="start_axis 1 comes after end_axis 0"):
        x.flatten(1, 0)
    with pytest.raises(ValueError, match="non-negative"):
        cr.pad(x, -1)


# ************************************************************* issue 17: negative axes, 0-d, size 0

def test_permute_with_negative_axes_sends_the_gradient_back_transposed():
    # issue 17: backward inverted the raw negative axes (x.grad came back as w, not w.T)
    w = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    x = cr.tensor(np.zeros((2, 2)), requires_grad=True)
    (x.permute(-1, 0) * cr.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad, w.T)
    check_op([(3, 4, 5, 6)], lambda a: a.permute(-2, -1, 1, 0))
    check_op([(2, 3, 4)], lambda a: a.transpose(-1, 0))  # torch's swap of two axes


def test_stack_names_an_axis_out_of_range():
    # issue 17: reported "every tensor must have the same shape"
    with pytest.raises(ValueError, match=r"stack: axis 77 is out of range for tensors with 1 "
                                         r"dimensions .*\[-2, 1\]"):
        cr.stack([cr.ones(3)], axis=77)


T = torch
SHAPE_CASES = {
    # name: (input shapes, ours, torch's)
    "reshape size 0": ([(0, 3)], lambda a: a.reshape(3, 0), lambda a: a.reshape(3, 0)),
    "reshape 0-d": ([()], lambda a: a.reshape(1, 1), lambda a: a.reshape(1, 1)),
    "view -1": ([(2, 3)], lambda a: a.view(-1, 2), lambda a: a.view(-1, 2)),
    "permute negative size 0": ([(2, 0, 3)], lambda a: a.permute(-1, 0, -2),
                                lambda a: a.permute(-1, 0, -2)),
    "transpose 0-d": ([()], lambda a: a.transpose(), lambda a: a.permute(())),
    "T size 0": ([(0, 2)], lambda a: a.T, lambda a: a.T),
    "squeeze 0-d axis 0": ([()], lambda a: a.squeeze(0), lambda a: a.squeeze(0)),
    "squeeze 0-d axis -1": ([()], lambda a: a.squeeze(-1), lambda a: a.squeeze(-1)),
    "squeeze negative size 0": ([(0, 1)], lambda a: a.squeeze(-1), lambda a: a.squeeze(-1)),
    "unsqueeze 0-d": ([()], lambda a: a.unsqueeze(-1), lambda a: a.unsqueeze(-1)),
    "unsqueeze size 0": ([(0, 2)], lambda a: a.unsqueeze(-2), lambda a: a.unsqueeze(-2)),
    "flatten 0-d": ([()], lambda a: a.flatten(), lambda a: a.flatten()),
    "flatten negative size 0": ([(2, 0, 3)], lambda a: a.flatten(-2, -1),
                                lambda a: a.flatten(-2, -1)),
    "broadcast_to 0-d": ([()], lambda a: a.broadcast_to((2, 3)), lambda a: a.expand(2, 3)),
    "expand size 0": ([(0, 1)], lambda a: a.expand(-1, 3), lambda a: a.expand(-1, 3)),
    "concatenate negative size 0": ([(0, 3), (2, 3)],
                                    lambda a, b: cr.concatenate([a, b], axis=-2),
                                    lambda a, b: T.cat([a, b], dim=-2)),
    "stack 0-d": ([(), ()], lambda a, b: cr.stack([a, b], axis=-1),
                  lambda a, b: T.stack([a, b], dim=-1)),
    "stack negative size 0": ([(0, 2), (0, 2)], lambda a, b: cr.stack([a, b], axis=-2),
                              lambda a, b: T.stack([a, b], dim=-2)),
    "pad size 0": ([(0, 2)], lambda a: cr.pad(a, ((1, 1), (0, 1))),
                   lambda a: T.nn.functional.pad(a, (0, 1, 1, 1))),
    "getitem size 0": ([(0, 3)], lambda a: a[:, -1], lambda a: a[:, -1]),
    "getitem 0-d": ([()], lambda a: a[None], lambda a: a[None]),
    "take_along_axis negative": ([(2, 3)], lambda a: cr.take_along_axis(a, TAKE, -1),
                                 lambda a: T.take_along_dim(a, T.from_numpy(TAKE), dim=-1)),
}
TAKE = np.array([[2, 0], [1, 1]])


@pytest.mark.parametrize("name", list(SHAPE_CASES))
def test_shape_ops_on_negative_axes_0d_and_size_0(name):
    shapes_, ours, theirs = SHAPE_CASES[name]
    check_op(shapes_, theirs, ours)


def test_shape_ops_take_torch_dim_names():
    x = cr.randn(2, 3, 4)
    assert x.squeeze(dim=None).shape == (2, 3, 4) and x.unsqueeze(dim=1).shape == (2, 1, 3, 4)
    assert x.flatten(start_dim=1).shape == (2, 12) and x.flatten(end_dim=1).shape == (6, 4)
    assert cr.stack([x, x], dim=-1).shape == (2, 3, 4, 2)
    assert cr.cat([x, x], dim=1).shape == (2, 6, 4)
    assert x.permute(dims=(2, 0, 1)).shape == (4, 2, 3)
    assert x.transpose(dim0=0, dim1=2).shape == (4, 3, 2)
    with pytest.raises(TypeError, match=r"unsqueeze: got both axis=1 and dim=2"):
        x.unsqueeze(1, dim=2)
    with pytest.raises(TypeError, match=r"stack: got both axis=1 and dim=0"):
        cr.stack([x], axis=1, dim=0)
