import numpy as np

from tests.examples.loader import load_example


def test_sigmoid_gradients_vanish_towards_the_input_relu_ones_do_not(tmp_path):
    example = load_example("vanishing_gradients")
    results = example.main(["--depth", "8", "--width", "48", "--batch", "64", "--plot",
                            str(tmp_path / "vg.png")])
    sig, relu = results["sigmoid"], results["relu"]
    assert len(sig["grad_rms"]) == 9 and len(sig["signal"]) == 8
    # sigmoid' <= 1/4: the backward signal shrinks layer after layer towards the input
    assert all(a < b for a, b in zip(sig["signal"], sig["signal"][1:], strict=False))
    assert sig["signal_ratio"] < 1e-3 and sig["weight_ratio"] < 1e-3
    # ReLU with kaiming init keeps it within an order of magnitude
    assert 0.1 < relu["signal_ratio"] < 10
    assert relu["weight_ratio"] > 100 * sig["weight_ratio"]
    assert np.all(np.isfinite(relu["grad_rms"]))
    assert (tmp_path / "vg.png").read_bytes()[:4] == b"\x89PNG"
