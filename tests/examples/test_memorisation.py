from tests.examples.loader import load_example


def test_random_labels_are_memorised_but_do_not_generalise(tmp_path):
    example = load_example("memorisation")
    results = example.main(["--samples", "200", "--width", "256", "--epochs", "45", "--plot",
                            str(tmp_path / "m.png")])
    true, random = results["true"], results["random"]
    assert true["train_accuracy"] == 1.0 and true["test_accuracy"] > 0.75
    assert random["train_accuracy"] > 0.9  # memorised (100% with a few more epochs)
    assert random["test_accuracy"] < 0.25  # chance is 0.1
    # random labels take longer to fit
    assert true["epochs_to_fit"] < (random["epochs_to_fit"] or 46)
    assert random["gap_check"].verdict == "fail" and "overfitting" in random["gap_check"].advice
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
