import numpy as np

from tests.examples.loader import load_example


def test_xor_loss_falls_to_near_zero_and_predictions_match():
    losses, probs = load_example("xor_by_hand").train(steps=1500, lr=0.5, seed=0, report_every=100)
    assert losses[-1] < 0.01 < losses[0]
    assert np.all(np.diff(losses[2:]) <= 0)  # gradient descent keeps lowering it
    np.testing.assert_array_equal(probs > 0.5, [False, True, True, False])
