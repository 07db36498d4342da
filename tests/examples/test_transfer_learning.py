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
    # Small on purpose (about 11 s of CPU, against 28 s with 8000 source images, 2 epochs,
    # width 8, 10 per class): 5 samples per class leave (a) weak, so the pretrained features
    # show their worth even after one short pretraining epoch. Seed 0 gives (a) 0.708,
    # (b) 0.754, (c) 0.860 and 0.836; seeds 1 and 2 keep the same order.
    example = load_example("transfer_learning")
    results = example.main(["--source-samples", "4000", "--pretrain-epochs", "1", "--width", "6",
                            "--per-class", "5", "--epochs", "10", "--test-samples", "500"])
    scratch = results["(a) from scratch"]
    assert results["source (digits 0-4)"] > 0.9
    assert results["(b) fine-tuned last layers"] > scratch
    assert results["(c) logistic regression on features"] > scratch
    assert results["(c) SVM on features"] > scratch
