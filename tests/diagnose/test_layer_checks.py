import numpy as np

import chainrule as cr
from chainrule import diagnose as dg
from chainrule import nn
from chainrule.diagnose.layer_checks import signal_gains
from tests.diagnose import setups


def verdicts(subject):
    return {r.name: r.verdict for r in dg.layer_checks(subject)}


def test_healthy_model_passes_every_layer_check():
    assert set(verdicts(setups.good()).values()) == {"pass"}


def test_zero_init_fails_dead_units_scale_flow_spectra_and_updates():
    v = verdicts(setups.zero_init())
    assert v == {"dead ReLU units": "fail", "activation scale": "fail", "gradient flow": "fail",
                 "weight spectra": "fail", "update/weight ratio": "fail"}


def test_saturating_init_fails_saturation():
    s = setups.saturating_init()
    r = dg.check_saturation(dg.layer_statistics(s))
    assert r.verdict == "fail" and r.measured["saturated fraction"] > 0.5
    assert "init is too large" in r.advice
    assert dg.check_dead_units(dg.layer_statistics(s)) is None  # no ReLU in a tanh net


def test_detached_layer_gets_no_gradient():
    r = dg.check_gradient_flow(dg.layer_statistics(setups.detached()))
    assert r.verdict == "fail" and "hidden.weight" in r.measured["zero gradient"]
    assert "cut" in r.advice
    u = dg.check_update_ratios(setups.detached())
    assert u.verdict == "fail" and u.detail["ratios"]["hidden.weight"] == 0.0
    assert u.detail["ratios"]["out.weight"] > 1e-4


def test_huge_learning_rate_fails_update_ratio_and_good_one_is_near_1e_3():
    bad = dg.check_update_ratios(setups.huge_lr())
    assert bad.verdict == "fail" and bad.measured["max"] > 1e-1 and "too high" in bad.advice
    good = dg.check_update_ratios(setups.good())
    assert good.verdict == "pass"
    assert all(1e-4 < r < 3e-2 for r in good.detail["ratios"].values())
    assert len(next(iter(good.detail["history"].values()))) == 5


def test_tiny_learning_rate_warns_or_fails_update_ratio():
    r = dg.check_update_ratios(setups.subject(lr=1e-8))
    assert r.verdict == "fail" and "too low" in r.advice


def deep(activation, layers=10, width=64, std=None, seed=0):
    cr.manual_seed(seed)
    mods = [nn.Linear(64, width), activation()]
    for _ in range(layers - 1):
        mods += [nn.Linear(width, width), activation()]
    model = nn.Sequential(*mods, nn.Linear(width, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            if std is None:
                nn.init.xavier_fan_in_normal_(m.weight)
            else:
                nn.init.normal_(m.weight, 0.0, std)
            nn.init.zeros_(m.bias)
    return model


def test_small_init_in_a_deep_tanh_net_shrinks_activations_and_spectra():
    # the decks' experiment: W = 0.01 randn in a 10-layer tanh net
    s = setups.subject(deep(nn.Tanh, std=0.01))
    stats = dg.layer_statistics(s)
    scale = dg.check_activation_scale(stats, float(np.std(s.x)))
    assert scale.verdict == "fail" and "shrink" in scale.advice
    gain = dg.check_spectra(dg.spectra(s.model), stats.order)
    assert gain.verdict == "fail" and gain.measured["signal gain"] < 1e-3
    assert "shrink" in gain.advice
    flow = dg.check_gradient_flow(stats)
    assert flow.verdict == "fail" and flow.measured["signal first/last"] < 1e-4


def test_xavier_deep_tanh_net_is_healthy():
    s = setups.subject(deep(nn.Tanh))
    stats = dg.layer_statistics(s)
    assert dg.check_activation_scale(stats, float(np.std(s.x))).verdict == "pass"
    assert dg.check_saturation(stats).verdict == "pass"
    assert dg.check_spectra(dg.spectra(s.model), stats.order).verdict == "pass"


def test_large_init_explodes_the_spectrum_gain():
    s = setups.subject(deep(nn.ReLU, layers=4, std=1.0))
    r = dg.check_spectra(dg.spectra(s.model), dg.layer_statistics(s).order)
    assert r.verdict == "fail" and r.measured["signal gain"] > 1e3 and "stretch" in r.advice


def test_relu_correction_of_the_signal_gain():
    model = setups.mlp()  # kaiming: each ReLU layer has gain sqrt(2) before the correction
    s = setups.subject(model)
    gains = signal_gains(dg.spectra(model), dg.layer_statistics(s).order)
    w0 = model[0].weight.data.astype(np.float64)
    assert gains[0] == np.linalg.norm(w0) / np.sqrt(32) / np.sqrt(2)
    bn = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))
    assert signal_gains(dg.spectra(bn), dg.layer_statistics(setups.subject(bn)).order)[0] == 1.0


def test_constant_init_is_rank_one_and_fails():
    model = setups.mlp()
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.1)
    r = dg.check_spectra(dg.spectra(model))
    assert r.verdict == "fail" and "symmetry" in r.advice


def test_deep_sigmoid_gradients_vanish_relative_to_relu():
    sig = dg.check_gradient_flow(dg.layer_statistics(setups.subject(deep(nn.Sigmoid, layers=8))))
    relu = dg.check_gradient_flow(dg.layer_statistics(setups.subject(deep(nn.ReLU, layers=8))))
    assert sig.measured["weights first/last"] < relu.measured["weights first/last"] / 100
    assert sig.verdict != "pass" and "vanishing" in sig.advice
