"""The ops' own threads: shares, order, errors, the BLAS limit; threaded ops against torch."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from chainrule import functional as F
from chainrule.autograd.ops import conv, linalg, parallel
from tests.autograd.check import check_op, tf


def _blas_threads() -> int:
    """NumPy's BLAS threads (SciPy and torch may have loaded BLAS libraries of their own)."""
    home = os.path.dirname(np.__file__)
    return next(pool["num_threads"] for pool in threadpool_info()
                if pool["user_api"] == "blas" and pool["filepath"].startswith(home))


def test_split_covers_every_item_once_in_near_equal_slices():
    for n, parts in [(10, 3), (3, 5), (0, 2), (64, 2)]:
        slices = parallel.split(n, parts)
        covered = [i for s in slices for i in range(n)[s]]
        assert covered == list(range(n))
        assert len(slices) == max(1, min(parts, n))
        sizes = [s.stop - s.start for s in slices]
        assert max(sizes) - min(sizes) <= 1


def test_run_returns_results_in_order_on_distinct_threads_with_one_blas_thread():
    limit = _blas_threads()
    seen, together = [], threading.Barrier(3, timeout=30)  # broken unless all run at once

    def piece(k):
        seen.append((threading.get_ident(), _blas_threads()))
        together.wait()
        return k * k
    assert parallel.run([lambda k=k: piece(k) for k in range(3)]) == [0, 1, 4]
    assert len({ident for ident, _ in seen}) == 3
    assert {threads for _, threads in seen} == {1}
    assert _blas_threads() == limit  # restored


def test_an_error_in_a_piece_is_raised_after_all_end_and_the_limit_is_restored():
    limit, done = _blas_threads(), []

    def fail():
        raise ValueError("piece 1 failed")
    with pytest.raises(ValueError, match="piece 1 failed"):
        parallel.run([lambda: done.append(0), fail, lambda: done.append(2)])
    assert sorted(done) == [0, 2]
    assert _blas_threads() == limit


def test_the_blas_held_to_one_thread_is_numpys(monkeypatch):
    import scipy.linalg  # noqa: F401 -- loads SciPy's own OpenBLAS

    monkeypatch.setitem(parallel._state, "pid", None)  # look the libraries up again
    blas = parallel._blas()
    assert blas.filepath.startswith(os.path.dirname(np.__file__))


def test_width_follows_the_blas_limit():
    with threadpool_limits(limits=1, user_api="blas"):
        assert parallel.width() == 1


@pytest.fixture
def three_threads(monkeypatch):
    """Every conv and linear op split over three threads, whatever the machine's BLAS."""
    monkeypatch.setattr(parallel, "width", lambda: 3)
    monkeypatch.setattr(conv, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(conv, "BLOCK_BYTES", 1)
    monkeypatch.setattr(linalg, "PARALLEL_MACS", 0)


@pytest.mark.parametrize("kw", [{}, {"padding": 1, "groups": 2}, {"stride": 2}])
def test_threaded_conv_ops_against_torch(three_threads, kw):
    shapes = [(5, 4, 9, 8), (6, 4 // kw.get("groups", 1), 3, 3), (6,)]
    check_op(shapes, lambda x, w, b: tf.conv2d(x, w, b, **kw),
             lambda x, w, b: F.conv2d(x, w, b, **kw))
    check_op(shapes, lambda x, w, b: tf.max_pool2d(tf.relu(tf.conv2d(x, w, b, **kw)), 2),
             lambda x, w, b: F.conv2d_relu(x, w, b, **kw, pool=True))


@pytest.mark.parametrize("shapes", [[(7, 5), (4, 5), (4,)], [(2, 3, 5), (2, 5)], [(0, 5), (4, 5)]])
def test_threaded_linear_against_torch(three_threads, shapes):
    check_op(shapes, tf.linear, F.linear)


def test_threaded_results_are_the_same_bits_every_run(three_threads):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((6, 3, 10, 9)), rng.standard_normal((4, 3, 3, 3))
    import chainrule as cr

    def grads():
        xs = [cr.tensor(a, requires_grad=True) for a in (x, w)]
        F.conv2d_relu(*xs, pool=True).sum().backward()
        return [t.grad for t in xs]
    first = grads()
    for _ in range(3):
        for a, b in zip(grads(), first, strict=True):
            np.testing.assert_array_equal(a, b)


def test_one_blas_thread_holds_numpys_blas_and_restores_it():
    limit = _blas_threads()
    with parallel.one_blas_thread():
        assert _blas_threads() == 1
    assert _blas_threads() == limit
