import json
import subprocess
import sys

import pytest

from chainrule.config import ConfigError, load_config
from chainrule.runs.report import describe, report_run
from chainrule.runs.train import load_run, train_run
from tests.viz.report.fixtures import write_search
from tests.viz.report.htmlparse import Page


@pytest.fixture(scope="module")
def xor_result(tmp_path_factory):
    """A short xor run with the shipped config's report = true and monitor_every = 20."""
    root = tmp_path_factory.mktemp("runs")
    return train_run("xor", ("train.epochs=3",), runs_root=root, verbose=False)


def test_train_report_true_writes_every_section_of_a_finished_run(xor_result):
    run_dir = xor_result.run_dir
    assert xor_result.report == run_dir / "report.html"
    assert json.loads((run_dir / "monitor.json").read_text())["every"] == 20
    page = Page(xor_result.report.read_text())
    assert page.sections == ["summary", "curves", "layers", "model", "evaluation", "config"]
    # loss, accuracy, lr; monitor and 3 histograms; network diagram; confusion,
    # precision/recall, decision boundary
    assert len(page.images) == 11
    assert "finished" in page.visible and "parameters" in page.visible


def test_describe_gives_shapes_and_parameter_counts(xor_result):
    loaded = load_run(xor_result.run_dir)
    network = describe(loaded.model, loaded.input_shape)
    assert network["input_shape"] == [2]
    assert [(r["kind"], r["output_shape"], r["params"]) for r in network["layers"]] == \
        [("linear", [8], 24), ("tanh", [8], 0), ("linear", [2], 18)]


@pytest.fixture
def partial(xor_result, tmp_path):
    """What a run folder holds while it is still training."""
    folder = tmp_path / "partial"
    folder.mkdir()
    for name in ("config.toml", "metrics.jsonl"):
        (folder / name).write_bytes((xor_result.run_dir / name).read_bytes())
    return folder


def test_a_run_still_training_gets_what_exists(partial):
    page = Page(report_run(partial).read_text())
    assert page.sections == ["summary", "curves", "config"]
    assert "training or interrupted" in page.visible


def test_a_search_folder_gets_the_study_report(tmp_path):
    page = Page(report_run(write_search(tmp_path / "s")).read_text())
    assert page.sections[:2] == ["study", "trials"]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "chainrule", "report", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_prints_the_report_path_and_rejects_a_non_run_folder(partial, tmp_path):
    done = run_cli(str(partial))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"report: {partial / 'report.html'}"
    bad = run_cli(str(tmp_path / "empty"), "--smoothing", "0.9")
    assert bad.returncode == 2 and bad.stderr.startswith("chainrule report: ")
    assert "is not a folder" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("key", "value"), [("report", '"maybe"'), ("monitor_every", "0")])
def test_report_and_monitor_fields_are_validated(key, value):
    with pytest.raises(ConfigError, match=key):
        load_config("xor", (f"train.{key}={value}",))
