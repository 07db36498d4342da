"""`chainrule search --workers 2` end to end in a subprocess: worker processes started
before the job loads, the trials, the summary and the plots."""

import json

from chainrule.config.loading import to_toml, validate
from tests.cli.helpers import chainrule
from tests.search.helpers import tiny


def test_search_with_two_workers_end_to_end(tmp_path):
    raw = tiny({"trials": 4, "strategy": "random",
                "space": {"optimizer.lr": {"log_uniform": [1e-3, 0.3]},
                          "regularization.l2": {"log_uniform": [1e-6, 1e-2]}}})
    (tmp_path / "tiny.toml").write_text(to_toml(validate(raw)))
    out = chainrule("search", "tiny.toml", "--workers", "2", cwd=tmp_path).stdout
    assert "best: trial" in out and "best.toml" in out
    folder = tmp_path / "runs" / "tiny-search"
    summary = json.loads((folder / "search.json").read_text())
    assert sum(t["state"] == "complete" for t in summary["trials"]) == 4
    assert len(summary["plots"]) == 3 and all((folder / p).exists() for p in summary["plots"])
