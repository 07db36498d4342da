"""`chainrule export RUN_DIR model.onnx`: writes the graph; a missing run is one line, exit 2."""

import pytest

from tests.cli.helpers import SMALL, chainrule


def test_export_writes_onnx_and_reports_errors_in_one_line(tmp_path):
    onnx = pytest.importorskip("onnx")
    (tmp_path / "small.toml").write_text(SMALL % {"epochs": 1, "every": 1000})
    chainrule("train", "small.toml", cwd=tmp_path)
    out = chainrule("export", "runs/small", "small.onnx", cwd=tmp_path).stdout
    assert "wrote small.onnx" in out and "preprocessing" in out
    graph = onnx.load(str(tmp_path / "small.onnx")).graph
    assert [i.name for i in graph.input] == ["input"] and graph.node[0].op_type == "Gemm"
    proc = chainrule("export", "runs/none", "x.onnx", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("chainrule export: ")
    assert not (tmp_path / "x.onnx").exists()
