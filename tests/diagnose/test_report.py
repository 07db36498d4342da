import json

from rich.console import Console

from chainrule.diagnose import Diagnosis, diagnose, plot_layers, plot_lr_range, plot_spectra
from chainrule.diagnose.checks import CheckResult
from chainrule.diagnose.report import verdict_table
from tests.diagnose import setups

PNG = b"\x89PNG\r\n\x1a\n"


def render(table):
    console = Console(record=True, width=250)
    console.print(table)
    return console.export_text()


def test_table_has_one_row_per_check_with_its_verdict_and_advice():
    results = [CheckResult("initial loss", "pass", {"loss": 2.31}, "about 2.303", "fine"),
               CheckResult("learning rate", "fail", {"lr": 1000.0}, "1e-4 to 1e-1", "too high")]
    text = render(verdict_table(results, "title"))
    for needle in ("initial loss", "pass", "loss 2.31", "about 2.303", "learning rate",
                   "fail", "lr 1e+03", "too high", "title"):
        assert needle in text


def test_write_puts_json_and_plots_in_the_folder(tmp_path):
    d = diagnose(setups.huge_lr(), lr_range_steps=40)
    paths = d.write(tmp_path / "out")
    assert set(paths) == {"json", "lr_range", "layers", "spectra"}
    for key in ("lr_range", "layers", "spectra"):
        assert paths[key].read_bytes()[:8] == PNG
    saved = json.loads(paths["json"].read_text())
    assert saved["verdict"] == "fail"
    assert [r["name"] for r in saved["results"]] == [r.name for r in d.results]
    assert saved["results"][0]["measured"]["loss"] == d.results[0].measured["loss"]
    assert len(saved["spectra"]) == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["diagnosis.json", "layers.png", "lr_range.png", "spectra.png"]  # no temp files left


def test_diagnosis_lookup_and_failed():
    d = Diagnosis([CheckResult("a", "pass", {}, "", ""), CheckResult("b", "fail", {}, "", "")])
    assert d["b"].verdict == "fail" and [r.name for r in d.failed] == ["b"]
    assert d.verdict == "fail"
    try:
        d["c"]
    except KeyError as exc:
        assert "'a'" in str(exc)


def test_plots_return_figures_without_a_path(tmp_path):
    d = diagnose(setups.good(), gradcheck=False, overfit=False, lr_range_steps=20)
    assert hasattr(plot_layers(d.statistics), "savefig")
    assert hasattr(plot_spectra(d.spectra), "savefig")
    lr = d["learning rate (range test)"]
    assert plot_lr_range(lr.detail, tmp_path / "lr.png").read_bytes()[:8] == PNG
