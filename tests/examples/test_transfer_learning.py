import pytest

from tests.data.test_mnist import shared_data_root
from tests.examples.loader import load_example


@pytest.fixture
def mnist_data(monkeypatch):
    root = shared_data_root()
    if root is None:
        pytest.skip("MNIST files not found: set CHAINRULE_DATA to a folder with mnist/")
    monkeypatch.setenv("CHAINRULE_DATA", str(root))


def test_pretrained_features_beat_training_from_scratch_on_few_labels(mnist_data):
    example = load_example("transfer_learning")
    results = example.main(["--source-samples", "8000", "--pretrain-epochs", "2", "--width", "8",
                            "--per-class", "10", "--test-samples", "1000"])
    scratch = results["(a) from scratch"]
    assert results["source (digits 0-4)"] > 0.97
    assert results["(b) fine-tuned last layers"] > scratch
    assert results["(c) logistic regression on features"] > scratch
    assert results["(c) SVM on features"] > scratch
