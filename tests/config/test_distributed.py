import pytest

from chainrule.config import ConfigError, load_config

BASE = """
[model]
layers = [{type = "linear", out_features = 4}]
"""


def test_distributed_section_defaults_and_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(BASE + '[distributed]\nmode = "local_sgd"\nk = 8\n')
    config = load_config(path, ("distributed.average_optimizer_state=true",))
    assert (config.distributed.mode, config.distributed.k) == ("local_sgd", 8)
    assert config.distributed.average_optimizer_state is True
    path.write_text(BASE)
    assert load_config(path).distributed is None


@pytest.mark.parametrize("body,needle", [('mode = "sync"\nk = 4', "k = 4 applies only"),
                                         ('mode = "async"', "async"),
                                         ("ranks = 2", "ranks")])
def test_bad_distributed_sections_are_named(tmp_path, body, needle):
    path = tmp_path / "c.toml"
    path.write_text(BASE + "[distributed]\n" + body + "\n")
    with pytest.raises(ConfigError, match=needle):
        load_config(path)
