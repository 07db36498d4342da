"""The command table: discovery of command modules, --help, and the one error handler."""

import argparse

import pytest

from chainrule import cli
from tests.cli.helpers import SMALL, chainrule


def test_every_command_module_is_found_and_has_the_three_names():
    found = cli.commands()
    assert {"train", "evaluate", "predict", "diagnose", "demo"} <= set(found)
    for name, module in found.items():
        assert isinstance(module.HELP, str) and module.HELP, name
        assert callable(module.add_arguments) and callable(module.run), name
        assert module.__doc__, f"{name}: the docstring is the command's --help description"


def test_help_lists_each_command_with_its_help_line(tmp_path):
    out = chainrule("--help", cwd=tmp_path).stdout
    for name, module in cli.commands().items():
        assert name in out and module.HELP[:30] in out
    assert "--resume" in chainrule("train", "--help", cwd=tmp_path).stdout
    assert "raw inputs" in chainrule("predict", "--help", cwd=tmp_path).stdout


def test_a_new_command_module_is_one_file(monkeypatch, tmp_path, capsys):
    (tmp_path / "hello.py").write_text(
        '"""Say hello."""\nHELP = "greet"\n'
        'def add_arguments(parser):\n    parser.add_argument("who")\n'
        'def run(args):\n    print("hello", args.who)\n    return 3\n')
    monkeypatch.setattr(cli, "__path__", [*cli.__path__, str(tmp_path)])
    assert cli.main(["hello", "you"]) == 3
    assert capsys.readouterr().out == "hello you\n"


@pytest.mark.parametrize("error", [ValueError("bad value 3"), FileNotFoundError("no x.toml")])
def test_user_errors_print_one_line_and_exit_2(monkeypatch, capsys, error):
    def fail(args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr("chainrule.cli.evaluate.run", fail)
    assert cli.main(["evaluate", "somewhere"]) == 2
    assert capsys.readouterr().err == f"chainrule evaluate: {error}\n"


def test_bad_config_and_missing_run_are_clear(tmp_path):
    (tmp_path / "bad.toml").write_text(SMALL.replace('lr = 3e-3', 'lr = -3') % {
        "epochs": 1, "every": 10})
    proc = chainrule("train", "bad.toml", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "optimizer.lr: Input should be greater than 0 (got -3" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = chainrule("evaluate", "nowhere", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "nowhere has no config.toml" in proc.stderr
    proc = chainrule("train", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "give a CONFIG" in proc.stderr


def test_the_command_ends_without_collecting_what_it_loaded(monkeypatch):
    """``chainrule`` returns main's status and leaves the objects alive at its end to the
    process's exit (frozen: the interpreter's last collections skip them)."""
    import gc

    monkeypatch.setattr(cli, "main", lambda: 7)
    before = gc.get_freeze_count()
    try:
        assert cli.command() == 7
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
