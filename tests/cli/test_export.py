"""`chainrule export RUN_DIR model.onnx`: writes the graph; a missing run is one line, exit 2.

In-process (``chainrule.cli.main``, the training through ``train_run``): the three
subprocesses this test used to start cost more CPU than the export itself.
"""

import pytest

from chainrule.cli import main
from chainrule.runs.train import train_run
from tests.cli.helpers import SMALL


def test_export_writes_onnx_and_reports_errors_in_one_line(tmp_path, monkeypatch, capsys):
    onnx = pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL % {"epochs": 1, "every": 1000})
    train_run(tmp_path / "small.toml", runs_root="runs", verbose=False)
    assert main(["export", "runs/small", "small.onnx"]) == 0
    out = capsys.readouterr().out
    assert "wrote small.onnx" in out and "preprocessing" in out
    graph = onnx.load(str(tmp_path / "small.onnx")).graph
    assert [i.name for i in graph.input] == ["input"] and graph.node[0].op_type == "Gemm"
    assert main(["export", "runs/none", "x.onnx"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chainrule export: ") and err.count("\n") == 1
    assert not (tmp_path / "x.onnx").exists()
