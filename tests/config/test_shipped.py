"""The configs shipped inside the package: found by name from anywhere; the repository's
configs/ folder holds identical copies for users to start from."""

from pathlib import Path

import pytest

from chainrule.config import ConfigError, load_config
from chainrule.config.loading import SHIPPED, find_config, shipped_configs

REPO_CONFIGS = Path(__file__).parents[2] / "configs"


def test_repository_configs_are_the_shipped_ones():
    repo = {p.name for p in REPO_CONFIGS.glob("*.toml")}
    packaged = {p.name for p in SHIPPED.glob("*.toml")}
    assert repo == packaged, (f"configs/ and src/chainrule/configs/ must hold the same files; "
                              f"only in configs/: {sorted(repo - packaged)}, only packaged: "
                              f"{sorted(packaged - repo)}")
    for name in sorted(repo):
        assert (REPO_CONFIGS / name).read_bytes() == (SHIPPED / name).read_bytes(), (
            f"configs/{name} differs from src/chainrule/configs/{name}; they must be identical")


@pytest.mark.parametrize("name", shipped_configs())
def test_every_shipped_config_loads_by_name(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_config(name) == SHIPPED / f"{name}.toml" == find_config(f"{name}.toml")
    assert load_config(name).name == name


def test_a_local_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xor.toml").write_text('name = "mine"\n[model]\nlayers = [{type = "relu"}]\n')
    assert load_config("xor.toml").name == "mine"
    assert load_config("xor").name == "xor"


def test_an_unknown_name_lists_the_shipped_configs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="digits_mlp_typo does not exist.*digits_mlp, "):
        load_config("digits_mlp_typo")
    with pytest.raises(ConfigError, match="sub/x.toml does not exist"):
        load_config("sub/x.toml")
