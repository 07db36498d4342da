import json
from pathlib import Path

from chainrule.cli import main
from chainrule.runs.diagnose import diagnose_run

CONFIG = str(Path(__file__).parents[2] / "configs" / "digits_mlp.toml")


def test_default_config_gives_a_clean_diagnosis(tmp_path):
    result = diagnose_run(CONFIG, runs_root=tmp_path)
    assert not result.diagnosis.failed, [r.to_dict() for r in result.diagnosis.failed]
    assert result.run_dir == tmp_path / "digits_mlp-diagnose"
    names = {p.name for p in result.run_dir.iterdir()}
    assert names == {"config.toml", "diagnosis.json", "lr_range.png", "layers.png",
                     "spectra.png"}
    checks = [r["name"] for r in json.loads((result.run_dir / "diagnosis.json").read_text())
              ["results"]]
    assert checks[:4] == ["initial loss", "gradient check", "overfit a small sample",
                          "learning rate (range test)"]


def test_command_exits_1_and_names_a_too_high_learning_rate(tmp_path, capsys):
    code = main(["diagnose", CONFIG, "--set", "optimizer.lr=1000", "--runs", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "fail" in out and "too high" in out
    assert (tmp_path / "digits_mlp-diagnose" / "diagnosis.json").exists()
    saved = json.loads((tmp_path / "digits_mlp-diagnose" / "diagnosis.json").read_text())
    failed = {r["name"] for r in saved["results"] if r["verdict"] == "fail"}
    assert {"learning rate (range test)", "update/weight ratio"} <= failed


def test_command_exits_0_on_a_healthy_config_and_2_on_a_bad_key(tmp_path, capsys):
    assert main(["diagnose", CONFIG, "--runs", str(tmp_path), "--set",
                 "train.batch_size=64"]) == 0
    assert "run directory" in capsys.readouterr().out
    assert main(["diagnose", "digits_mlp", "--runs", str(tmp_path), "--set",
                 "optimizer.lrr=1"]) == 2
    assert "lrr" in capsys.readouterr().err
