import numpy as np

from tests.examples.loader import load_example


def test_error_falls_as_the_hidden_layer_widens(tmp_path):
    example = load_example("universal_approximation")
    results = example.main(["--widths", "1", "3", "12", "--steps", "800", "--samples", "100",
                            "--plot", str(tmp_path / "ua.png")])
    err = results["errors"]
    assert list(err) == [1, 3, 12]
    assert err[1] > err[3] > err[12]
    assert err[1] > 0.1  # one tanh unit cannot make the two bends of a sine
    assert err[12] < err[1] / 10 and err[12] < 0.05
    grid = results["grid"]
    assert np.max(np.abs(results["curves"][12] - np.sin(grid))) < 0.2
    assert (tmp_path / "ua.png").read_bytes()[:4] == b"\x89PNG"
