from tests.examples.loader import load_example


def test_linear_models_fail_and_a_hidden_layer_solves_xor(tmp_path, capsys):
    results = load_example("xor_separability").main(["--samples", "200", "--steps", "300", "--plot",
                            str(tmp_path / "xor.png")])
    # no line gets more than 3 of the 4 corners right
    assert results["linear"] <= 0.8
    assert results["perceptron"] <= 0.8 and results["perceptron_mistakes_last_epoch"] > 0
    assert results["mlp"] >= 0.95
    assert (tmp_path / "xor.png").read_bytes()[:4] == b"\x89PNG"
    assert "2-layer tanh net" in capsys.readouterr().out
