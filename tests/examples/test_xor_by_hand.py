import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).parents[2] / "examples" / "xor_by_hand.py"


def _load():
    spec = importlib.util.spec_from_file_location("xor_by_hand", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_xor_loss_falls_to_near_zero_and_predictions_match():
    losses, probs = _load().train(steps=1500, lr=0.5, seed=0, report_every=100)
    assert losses[-1] < 0.01 < losses[0]
    assert np.all(np.diff(losses[2:]) <= 0)  # gradient descent keeps lowering it
    np.testing.assert_array_equal(probs > 0.5, [False, True, True, False])
