import numpy as np

from tests.examples.loader import load_example


def test_perceptron_separates_the_spoiler_backprop_prefers_consistency(tmp_path, capsys):
    example = load_example("perceptron_vs_backprop")
    results = example.main(["--epochs", "60", "--steps", "1500", "--plot",
                            str(tmp_path / "p.png")])
    sep, non = results["separable"], results["non-separable"]
    # separable: the perceptron converges to zero mistakes (convergence theorem) ...
    assert sep["perceptron_mistakes"][-1] == 0 and sep["perceptron_accuracy"] == 1.0
    assert sep["spoiler_right_perceptron"]
    # ... while bounded-weight backprop on the squared error sacrifices the spoiler
    assert not sep["spoiler_right_backprop"]
    assert 0.95 < sep["backprop_accuracy"] < 1.0
    # non-separable: the perceptron never settles, backprop converges near the best boundary
    assert min(non["perceptron_mistakes"]) > 0 and non["perceptron_epochs"] == 60
    assert non["perceptron_accuracy_late_std"] > 0.01
    assert abs(non["backprop_loss_change_late"]) < 1e-3
    assert non["backprop_accuracy"] > 0.8
    assert non["backprop_accuracy"] > non["perceptron_accuracy_late_mean"]
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert "spoiler classified right" in capsys.readouterr().out


def test_perceptron_rule_updates_only_on_mistakes():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    t = np.array([1.0, 1.0, -1.0])
    w, b, mistakes, acc = load_example("perceptron_vs_backprop").perceptron(x, t, epochs=10, lr=1.0)
    # traced by hand (w.x + b = 0 counts as a mistake):
    # epoch 1: x1 wrong -> w=(1,0), b=1; x2 right; x3 wrong -> w=(2,0), b=0
    # epoch 2: x2 wrong -> w=(2,1), b=1;  epoch 3: no mistakes, stop
    assert mistakes == [2, 1, 0]
    np.testing.assert_array_equal(w, [2.0, 1.0])
    assert b == 1.0 and acc[-1] == 1.0
