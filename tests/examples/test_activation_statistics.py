from tests.examples.loader import load_example


def test_small_collapses_large_saturates_xavier_stays_healthy(capsys):
    example = load_example("activation_statistics")
    results = example.main(["--layers", "10", "--units", "100", "--batch", "200"])
    printed = capsys.readouterr().out
    assert "10-layer tanh net" in printed and "xavier" in printed and "lsuv" in printed
    stds = {name: [layer["std"] for layer in stats] for name, stats in results.items()}
    saturated = {name: [layer["saturated"] for layer in stats] for name, stats in results.items()}
    assert all(len(v) == 10 for v in stds.values())

    # Small random init: each layer shrinks the signal, which ends near zero.
    small = stds["small"]
    assert all(b < a for a, b in zip(small, small[1:], strict=False))
    assert small[-1] < 1e-4
    # Large random init: almost every unit sits at +-1 in every layer.
    assert min(saturated["large"]) > 0.5
    assert min(stds["large"]) > 0.9
    # Xavier (randn / sqrt(fan_in)): the signal shrinks slowly and nothing saturates.
    assert 0.1 < stds["xavier"][-1] < 0.5
    assert max(saturated["xavier"]) < 0.05
    # LSUV keeps every layer at the same scale.
    assert max(stds["lsuv"]) - min(stds["lsuv"]) < 0.05


def test_scheme_choice_and_sizes():
    example = load_example("activation_statistics")
    results = example.main(["--layers", "3", "--units", "16", "--batch", "32",
                            "--schemes", "small", "orthogonal"])
    assert list(results) == ["small", "orthogonal"]
    assert all(len(stats) == 3 for stats in results.values())
