import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "memorisation.py"


def _load():
    spec = importlib.util.spec_from_file_location("memorisation", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_random_labels_are_memorised_but_do_not_generalise(tmp_path):
    results = _load().main(["--samples", "200", "--width", "256", "--epochs", "45", "--plot",
                            str(tmp_path / "m.png")])
    true, random = results["true"], results["random"]
    assert true["train_accuracy"] == 1.0 and true["test_accuracy"] > 0.75
    assert random["train_accuracy"] > 0.9  # memorised (100% with a few more epochs)
    assert random["test_accuracy"] < 0.25  # chance is 0.1
    # random labels take longer to fit
    assert true["epochs_to_fit"] < (random["epochs_to_fit"] or 46)
    assert random["gap_check"].verdict == "fail" and "overfitting" in random["gap_check"].advice
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
