"""Initialisation schemes: the variances their formulas promise, structure, determinism.

Sample variances of n i.i.d. draws have relative standard error about
sqrt(2 / n) (normal) or less (uniform); with n >= 100,000 a 3% tolerance is
more than 6 standard errors.
"""

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.nn import init

FAN_OUT, FAN_IN = 400, 300


def _weight(*shape):
    return nn.Parameter(np.zeros(shape or (FAN_OUT, FAN_IN), dtype=np.float32))


def _var(w):
    return float(np.var(w.data, dtype=np.float64))


SCHEMES = [
    # (name, call, expected variance)
    ("normal", lambda w: init.normal_(w, 0.0, 0.5, generator=0), 0.25),
    ("uniform", lambda w: init.uniform_(w, -1.0, 1.0, generator=0), 1 / 3),
    ("small_normal", lambda w: init.small_normal_(w, generator=0), 1e-4),
    ("small_uniform", lambda w: init.small_uniform_(w, generator=0), 1e-4 / 3),
    ("xavier_uniform", lambda w: init.xavier_uniform_(w, generator=0), 2 / (FAN_IN + FAN_OUT)),
    ("xavier_normal", lambda w: init.xavier_normal_(w, gain=2.0, generator=0),
     4 * 2 / (FAN_IN + FAN_OUT)),
    ("xavier_fan_in", lambda w: init.xavier_fan_in_normal_(w, generator=0), 1 / FAN_IN),
    ("kaiming_uniform_relu", lambda w: init.kaiming_uniform_(w, nonlinearity="relu",
                                                             generator=0), 2 / FAN_IN),
    ("kaiming_normal_relu", lambda w: init.kaiming_normal_(w, nonlinearity="relu", generator=0),
     2 / FAN_IN),
    ("kaiming_normal_fan_out", lambda w: init.kaiming_normal_(w, mode="fan_out",
                                                              nonlinearity="relu", generator=0),
     2 / FAN_OUT),
    ("kaiming_leaky", lambda w: init.kaiming_normal_(w, a=0.2, generator=0),
     2 / (1 + 0.2**2) / FAN_IN),
    ("orthogonal", lambda w: init.orthogonal_(w, gain=1.5, generator=0), 1.5**2 / FAN_OUT),
]


@pytest.mark.parametrize("name,fill,expected", SCHEMES, ids=[s[0] for s in SCHEMES])
def test_scheme_variance_matches_formula(name, fill, expected):
    w = _weight()
    assert fill(w) is w
    assert _var(w) == pytest.approx(expected, rel=0.03)
    assert abs(float(w.data.mean())) < 4 * math.sqrt(expected / w.numel()) + 1e-12


def test_uniform_schemes_respect_their_bounds():
    w = _weight()
    bound = math.sqrt(6 / (FAN_IN + FAN_OUT))
    init.xavier_uniform_(w, generator=0)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    init.kaiming_uniform_(w, a=math.sqrt(5), generator=0)  # torch's Linear default
    assert np.abs(w.data).max() <= 1 / math.sqrt(FAN_IN)


def test_fans_and_gains_match_torch():
    torch = pytest.importorskip("torch")
    for shape in [(3, 4), (8, 3, 5), (8, 3, 5, 5)]:
        assert init._calculate_fan_in_and_fan_out(_weight(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                        ("conv2d", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(5,\)"):
        init.xavier_uniform_(_weight(5))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(_weight(), mode="fan")


def test_constant_zeros_ones():
    w = _weight(3, 2)
    assert (init.constant_(w, 0.5).data == 0.5).all()
    assert (init.ones_(w).data == 1).all()
    assert (init.zeros_(w).data == 0).all()


def test_same_seed_same_bits_and_global_seed():
    a, b = _weight(50, 40), _weight(50, 40)
    init.kaiming_normal_(a, generator=3)
    init.kaiming_normal_(b, generator=3)
    assert a.data.tobytes() == b.data.tobytes()
    cr.manual_seed(5)
    init.orthogonal_(a)
    cr.manual_seed(5)
    init.orthogonal_(b)
    assert a.data.tobytes() == b.data.tobytes()


def test_init_writes_in_place():
    layer = nn.Linear(6, 4)
    data = layer.weight.data
    init.orthogonal_(layer.weight)
    assert layer.weight.data is data


@pytest.mark.parametrize("shape", [(20, 50), (50, 20), (6, 3, 4)])
def test_orthogonal_structure(shape):
    w = init.orthogonal_(nn.Parameter(cr.zeros(shape, dtype=np.float64)), gain=2.0, generator=1)
    flat = w.data.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-10)


def test_sparse_structure_k_nonzeros_per_unit():
    w = init.sparse_(_weight(200, 100), k=15, std=2.0, generator=0)
    nonzero = w.data != 0
    assert (nonzero.sum(axis=1) == 15).all()
    # Positions are spread over all inputs, values drawn from N(0, std^2).
    assert nonzero.any(axis=0).all()
    assert np.var(w.data[nonzero]) == pytest.approx(4.0, rel=0.08)
    narrow = init.sparse_(_weight(10, 4), k=15, generator=0)
    assert (narrow.data != 0).all()  # fewer inputs than k: all connected


def test_lecun_alias_is_the_decks_xavier():
    assert init.lecun_normal_ is init.xavier_fan_in_normal_


def _layer_output_vars(model, x):
    found = []
    handles = [m.register_forward_hook(lambda m, i, o: found.append(float(o.data.var())))
               for m in model if isinstance(m, nn.Linear)]
    with cr.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return found


def test_lsuv_gives_unit_output_variance_per_layer():
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 64),
                          nn.Tanh(), nn.Linear(64, 10))
    x = cr.tensor(np.random.default_rng(0).standard_normal((256, 20)) * 3.0)
    before = _layer_output_vars(model.eval(), x)
    assert any(abs(v - 1) > 0.1 for v in before)
    model.train()
    assert init.lsuv_(model, x, tol=0.05, generator=0) is model
    assert all(m.training for m in model.modules())  # modes restored
    after = _layer_output_vars(model.eval(), x)
    assert len(after) == 3
    for v in after:
        assert abs(v - 1) < 0.05
    assert all((m.bias.data == 0).all() for m in model if isinstance(m, nn.Linear))


def test_lsuv_needs_a_layer():
    with pytest.raises(ValueError, match="no layer with a weight"):
        init.lsuv_(nn.Sequential(nn.ReLU()), cr.randn(2, 3))
