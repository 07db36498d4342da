import base64
import re

import pytest

from chainrule.viz.report import build_report, write_report
from tests.viz.pngs import SIGNATURE
from tests.viz.report.fixtures import (
    XSS_COLUMN,
    XSS_NAME,
    extras,
    write_run,
    write_search,
)
from tests.viz.report.htmlparse import Page

EVERY_RUN_SECTION = ["summary", "curves", "diagnosis", "layers", "model", "evaluation",
                     "explain", "config"]


def test_a_run_with_every_file_has_every_section_and_only_embedded_images(tmp_path):
    run = write_run(tmp_path / "run")
    page = Page(build_report(run, extras(), version="9.9"))
    assert page.sections == EVERY_RUN_SECTION
    assert len(page.images) == 16
    for src in page.images:
        mime, data = re.fullmatch(r"data:(image/png);base64,(.+)", src).groups()
        assert base64.b64decode(data)[:8] == SIGNATURE
    assert "script" not in page.tags and "link" not in page.tags
    for needle in ("digits_mlp", "finished", "9.9", "test accuracy", "0.81",
                   "seconds per epoch", "1,234", "learning rate (range test)", "lower it",
                   "activations at step 41", "update / weight", 'out_features = 3',
                   "importance: features", "surrogate: rules", "age <= 3", "0.93",
                   "gradient_x_input", "classification"):
        assert needle in page.visible, needle


def test_a_run_still_training_shows_what_exists_and_omits_the_rest(tmp_path):
    run = write_run(tmp_path / "run", full=False)
    page = Page(build_report(run))
    assert page.sections == ["summary", "curves", "config"]
    assert "training or interrupted" in page.visible
    assert "4 of 5" in page.visible  # epochs run of the planned ones


def test_epochs_and_best_values_come_from_the_metrics(tmp_path):
    run = write_run(tmp_path / "run", full=False)
    page = Page(build_report(run, {"greater_is_better": {"accuracy": True}}))
    text = re.sub(r"\s+", " ", page.visible)
    # log, final, best, best at epoch: losses are best when lowest, accuracy when highest
    assert "val_loss 0.3 0.3 4" in text and "accuracy 0.8 0.8 4" in text
    page = Page(build_report(run, {"greater_is_better": {"accuracy": False}}))
    assert "accuracy 0.8 0.5 1" in re.sub(r"\s+", " ", page.visible)


def test_user_strings_are_escaped_everywhere(tmp_path):
    run = write_run(tmp_path / "run", name=XSS_NAME)
    html = build_report(run, extras())
    page = Page(html)
    assert "script" not in page.tags and page.images.count("x") == 0
    assert XSS_NAME in page.visible and XSS_COLUMN in page.visible
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_explain_plots_outside_the_folder_are_not_embedded(tmp_path):
    (tmp_path / "outside.png").write_bytes(b"\x89PNG secret")
    run = write_run(tmp_path / "run")
    page = Page(build_report(run))
    explain_images = [s for s in page.images if base64.b64decode(s.split(",")[1]).startswith(
        b"\x89PNG secret")]
    assert explain_images == []


def test_a_search_report_links_each_trials_report(tmp_path):
    search = write_search(tmp_path / "search")
    page = Page(build_report(search))
    assert page.sections == ["study", "trials", "importances", "search-plots"]
    assert page.links[-3:] == ["./trial-0", "./trial-1", "./javascript%3Aalert%281%29"]
    (search / "trial-1" / "report.html").write_text("<!DOCTYPE html>")
    assert Page(build_report(search)).links[-2] == "./trial-1/report.html"
    assert XSS_NAME in page.visible and "script" not in page.tags


def test_write_report_writes_report_html_atomically(tmp_path):
    run = write_run(tmp_path / "run", full=False)
    path = write_report(run)
    assert path == run / "report.html" and path.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in run.iterdir()) == ["config.toml", "metrics.jsonl",
                                                     "report.html"]


def test_a_folder_without_run_files_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a run folder nor a search folder"):
        build_report(tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        build_report(tmp_path / "nope")


def test_unreadable_files_are_reported_not_fatal(tmp_path):
    run = write_run(tmp_path / "run", full=False)
    (run / "diagnosis.json").write_text("{not json")
    page = Page(build_report(run))
    assert page.sections[-1] == "problems" and "diagnosis.json could not be read" in page.visible
