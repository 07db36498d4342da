from tests.examples.loader import load_example


def test_plot_is_written_when_asked(tmp_path, capsys):
    example = load_example("activation_statistics")
    results = example.main(["--layers", "4", "--units", "32", "--batch", "64", "--schemes",
                            "small", "large", "xavier", "--plot", str(tmp_path / "a.png")])
    assert list(results) == ["small", "large", "xavier"]
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    assert "plot:" in capsys.readouterr().out
