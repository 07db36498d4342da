import json

import pytest

from chainrule.config import ConfigError, load_config
from chainrule.config.build import build_data
from chainrule.config.search import EnsembleConfig
from chainrule.runs.ensemble import from_search, run, train_ensemble
from chainrule.runs.search import run as search
from tests.search.helpers import tiny


def test_seeds_train_members_on_one_split_and_report_against_them(tmp_path):
    raw = tiny()
    result = train_ensemble(raw, EnsembleConfig(seeds=3, averaging="polyak"), tmp_path)
    folder = tmp_path / "tiny-ensemble"
    report = json.loads((folder / "ensemble.json").read_text())
    assert report["member_dirs"] == ["seed-0", "seed-1", "seed-2"]
    assert report["split"] == "test" and len(report["members"]) == 3
    assert report["best_member"] == max(report["members"])
    assert report["gain_over_best"] == pytest.approx(report["ensemble"] - report["best_member"])
    assert report["chosen_by"] == "the validation split"
    val = result.ensemble.member_scores(build_data(load_config(folder / "seed-0" / "config.toml")
                                                   .data, 0).val)
    assert val[report["chosen"]] == max(val)
    assert report["chosen_member"] == report["members"][report["chosen"]]
    configs = [load_config(folder / d / "config.toml") for d in report["member_dirs"]]
    assert [c.train.seed for c in configs] == [0, 1, 2] and len(result.ensemble) == 3


def test_a_snapshot_ensemble_saves_one_snapshot_per_cycle(tmp_path):
    raw = tiny(train={"epochs": 6, "batch_size": 30, "divergence_guard": False})
    result = train_ensemble(raw, EnsembleConfig(snapshots=True, cycles=3), tmp_path)
    snaps = sorted((tmp_path / "tiny-ensemble" / "snapshots").glob("snapshot-*.safetensors"))
    assert [p.name for p in snaps] == [f"snapshot-{c}.safetensors" for c in range(3)]
    assert len(result.ensemble) == 3 and result.report["source"].startswith("3 snapshots")
    config = (tmp_path / "tiny-ensemble" / "snapshots" / "config.toml").read_text()
    # 90 training samples in batches of 30 for 6 epochs: 18 steps, 3 cycles of 6
    assert 'name = "cosine_restarts"' in config and "T_0 = 6" in config


def test_snapshots_refuse_a_schedule_of_their_own(tmp_path):
    raw = tiny(schedule={"name": "cosine"})
    with pytest.raises(ConfigError, match="remove \\[schedule\\]"):
        train_ensemble(raw, EnsembleConfig(snapshots=True, cycles=2), tmp_path)


def test_the_top_trials_of_a_search_make_an_ensemble(tmp_path):
    raw = tiny({"trials": 3, "strategy": "random", "metric": "val_accuracy",
                "space": {"optimizer.lr": {"log_uniform": [1e-3, 0.3]}}})
    found = search(raw, runs_root=tmp_path, plots=False)
    result = from_search(found.search_dir, top=2)
    best_two = sorted(found.summary["trials"], key=lambda t: -t["value"])[:2]
    assert result.report["member_dirs"] == [t["run_dir"] for t in best_two]
    assert result.report["chosen"] == 0  # the search's best trial, chosen on validation
    assert (found.search_dir / "ensemble.json").exists()
    with pytest.raises(FileNotFoundError, match="search.json"):
        run(tmp_path)


def test_members_are_announced_over_their_progress_on_a_terminal(tmp_path, monkeypatch,
                                                                 capsys):
    from chainrule.train.callbacks import progress

    monkeypatch.setattr(progress, "interactive", lambda: True)
    monkeypatch.setenv("CI", "1")  # a terminal wins over CI, as for the trainer's bar
    train_ensemble(tiny(), EnsembleConfig(seeds=2), tmp_path)
    out = capsys.readouterr().out
    assert "member 1 of 2: seed 0" in out and "member 2 of 2: seed 1" in out
    assert "epoch 2/2" in out  # each member's own training bar
