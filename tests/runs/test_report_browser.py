"""The demo run's report in a real browser: headless Chromium (Debian's package) driven by
Playwright, which downloads no browser. Skipped, with the reason, only when Chromium cannot
start."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from chainrule.runs.report import report_run
from chainrule.runs.train import train_run
from tests.viz.report.fixtures import XSS_COLUMN

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
MAX_BYTES = 5_000_000
MAX_RENDER_MS = 3_000
XSS_RUN = "<script>window.__pwned = 1</script>"
XSS_IMG = "<img src=x onerror=\"window.__pwned = 2\">"


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium package)")
    with playwright.sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means: cannot test here
            pytest.skip(f"chromium could not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


def open_report(browser, path: Path) -> tuple[object, dict]:
    """Load the report; return the page and what the DOM says about it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri(), wait_until="load")
    facts = page.evaluate("""() => {
        const t = performance.getEntriesByType('navigation')[0];
        return {images: document.images.length,
                loaded: Array.from(document.images).filter(
                    i => i.complete && i.naturalWidth > 0).length,
                scripts: document.scripts.length, pwned: window.__pwned === undefined ? null
                    : window.__pwned, text: document.body.innerText,
                sections: Array.from(document.querySelectorAll('section[id]')).map(s => s.id),
                render_ms: t.loadEventEnd - t.startTime};
    }""")
    facts["dialogs"] = dialogs
    return page, facts


def assert_not_blank(png: bytes) -> None:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png), format="png")[..., :3]
    ink = (pixels.min(-1) < 0.85).mean()
    assert np.ptp(pixels) > 0.5 and ink > 0.02, f"screenshot looks blank (ink {ink:.3f})"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    result = train_run("digits_mlp", ("train.epochs=4",), runs_root=root, verbose=False)
    return result.run_dir


def test_demo_report_renders_every_image_in_chromium(browser, demo_run):
    path = demo_run / "report.html"
    assert path.exists()  # [train] report = true in the shipped config
    page, facts = open_report(browser, path)
    shot = page.screenshot(path=str(demo_run / "report.png"), full_page=True)
    page.close()
    assert_not_blank(shot)
    # loss, metrics, lr; monitor + 3 histograms; network, weights; confusion, precision/recall
    assert facts["images"] == 11 and facts["loaded"] == facts["images"]
    assert facts["sections"] == ["summary", "curves", "layers", "model", "evaluation", "config"]
    assert facts["scripts"] == 0 and facts["pwned"] is None and facts["dialogs"] == []


def test_user_strings_render_as_text_and_run_nothing(browser, demo_run, tmp_path):
    run = tmp_path / "xss"
    run.mkdir()
    for name in ("metrics.jsonl", "results.json", "monitor.json"):
        (run / name).write_bytes((demo_run / name).read_bytes())
    (run / "config.toml").write_text((demo_run / "config.toml").read_text().replace(
        'name = "digits_mlp"', f"name = {json.dumps(XSS_RUN)}"))
    (run / "explain.json").write_text(json.dumps(
        {"plots": [], "importance": [{"feature": XSS_IMG, "mean": 0.1},
                                     {"feature": XSS_COLUMN, "mean": 0.0}]}))
    page, facts = open_report(browser, report_run(run))
    page.close()
    assert XSS_RUN in facts["text"] and XSS_IMG in facts["text"] and XSS_COLUMN in facts["text"]
    assert facts["pwned"] is None and facts["dialogs"] == [] and facts["scripts"] == 0
    assert facts["loaded"] == facts["images"]


def test_a_100_epoch_monitored_run_gives_a_small_fast_report(browser, tmp_path):
    # 90 training samples: 3 steps an epoch, a Monitor record every epoch
    result = train_run("xor", ("train.epochs=100", "data.samples=120", "train.monitor_every=3"),
                       runs_root=tmp_path, verbose=False)
    path = result.run_dir / "report.html"
    assert len(json.loads((result.run_dir / "monitor.json").read_text())["records"]) == 100
    assert path.stat().st_size < MAX_BYTES
    page, facts = open_report(browser, path)
    page.close()
    assert "evaluation" in facts["sections"] and facts["loaded"] == facts["images"]
    assert facts["render_ms"] < MAX_RENDER_MS, facts["render_ms"]
