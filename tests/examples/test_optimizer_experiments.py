import numpy as np
import pytest

from tests.examples.loader import load_example


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("optimizer_experiments")
    example = load_example("optimizer_experiments")
    return out, example.main(["--out", str(out), "--steps", "300", "--ks", "1", "10", "100"])


def test_iterations_grow_with_the_condition_number(results):
    iterations = results[1]["condition_number"]
    assert iterations[1] == 1  # k = 1: lr = 1/L solves it in one step
    assert iterations[1] < iterations[10] < iterations[100]
    assert iterations[100] > 3 * iterations[10]


def test_one_dimensional_learning_rates(results):
    runs = results[1]["one_dimensional"]
    assert abs(runs[1.0][1]) < 1e-12  # lr = 1/L: the minimum in one step
    assert min(runs, key=lambda f: abs(runs[f][1])) == 1.0
    slow = runs[0.5]
    assert (slow > 0).all() and (np.diff(slow) < 0).all()  # below 1/L: monotone
    wobbly = runs[1.8]
    assert (np.sign(wobbly[1:6]) == [-1, 1, -1, 1, -1]).all() and abs(wobbly[-1]) < 1e-2
    assert abs(runs[2.05][-1]) > 1 and (np.diff(np.abs(runs[2.05])) > 0).all()  # diverges


def test_optimizers_on_the_ill_conditioned_quadratic(results):
    runs = results[1]["quadratic"]
    assert set(runs) == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"}
    for name, run in runs.items():
        assert run["losses"][-1] < 1e-2 * run["losses"][0], name
        assert run["path"].shape[1] == 2
    assert runs["Momentum"]["losses"][-1] < runs["SGD"]["losses"][-1]
    assert runs["Nesterov"]["losses"][-1] < runs["SGD"]["losses"][-1]


def test_optimizers_on_rosenbrock(results):
    runs = results[1]["rosenbrock"]
    for name, run in runs.items():
        assert run["losses"][-1] < run["losses"][0], name
    best = min(runs, key=lambda name: runs[name]["distance"])
    assert best == "Adam" and runs["Adam"]["distance"] < 1.0


def test_plots_are_written(results):
    out = results[0]
    for name in ("condition_number", "one_dimensional", "quadratic", "rosenbrock"):
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_schedules_example_plots_every_schedule(tmp_path):
    module = load_example("optim_schedules")
    curves = module.main(["--out", str(tmp_path), "--steps", "120"])
    assert len(curves) == 9 and all(len(rates) == 120 for rates in curves.values())
    assert curves["step decay"][-1] < curves["step decay"][0]
    restarts = np.array(curves["cosine with warm restarts"])
    assert (np.diff(restarts) > 0.05).sum() >= 2  # it jumps back up at each restart
    assert max(curves["one-cycle"]) == pytest.approx(0.1, rel=1e-3)
    assert curves["reduce on plateau"][-1] < curves["reduce on plateau"][0]
    assert (tmp_path / "schedules.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
