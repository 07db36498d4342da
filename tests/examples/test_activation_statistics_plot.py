import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "activation_statistics.py"


def _load():
    spec = importlib.util.spec_from_file_location("activation_statistics", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plot_is_written_when_asked(tmp_path, capsys):
    results = _load().main(["--layers", "4", "--units", "32", "--batch", "64", "--schemes",
                            "small", "large", "xavier", "--plot", str(tmp_path / "a.png")])
    assert list(results) == ["small", "large", "xavier"]
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    assert "plot:" in capsys.readouterr().out
