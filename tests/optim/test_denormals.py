"""Adam's first moment never holds subnormal floats (they make every later step slow)."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.optim.transforms import flush_denormals_

TINY = np.finfo(np.float32).tiny


def test_flush_denormals_zeroes_only_subnormals():
    a = np.array([TINY / 4, -TINY / 2, TINY, -1e-3, 0.0, 5.0], dtype=np.float32)
    flush_denormals_(a)
    np.testing.assert_array_equal(a, np.array([0, 0, TINY, -1e-3, 0, 5.0], dtype=np.float32))


@pytest.mark.parametrize("fused", [True, False])
def test_a_decaying_moment_goes_to_zero_without_passing_through_subnormals(fused):
    w = cr.tensor(np.ones(8), requires_grad=True)
    opt = optim.Adam([w], lr=1e-3)
    if not fused:
        opt = optim.TransformOptimizer([w], optim.chain(optim.scale_by_adam(),
                                                        optim.scale(-1e-3)), lr=1.0)
    w.grad[...] = 1e-30  # a tiny gradient once, then none: mu decays by 0.9 per step
    opt.step()
    mus = []
    for _ in range(200):
        opt.zero_grad()
        opt.step()
        mu = _first_moment(opt.state_dict())
        assert not ((mu != 0) & (np.abs(mu) < TINY)).any()
        mus.append(mu[0])
    assert mus[0] > 0 and mus[-1] == 0


def _first_moment(state):
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")
        elif isinstance(node, np.ndarray) and path.endswith("/mu"):
            found.append(node)

    walk(state, "")
    assert len(found) == 1, "expected one first-moment array in the optimizer state"
    return found[0]
