"""[transfer]: a run starts from another run's network, frozen up to a layer, fresh head."""

import numpy as np
import pytest

from chainrule.config import load_config
from chainrule.runs.export import export_run
from chainrule.runs.train import load_run, train_run

CNN = """
name = "%(name)s"
[data]
dataset = "digits"
flatten = false
val_fraction = 0.0
[model]
layers = [
  {type = "reshape", shape = [1, 8, 8]},
  {type = "conv2d", out_channels = 4, kernel_size = 3, padding = 1},
  {type = "relu"},
  {type = "maxpool2d"},
  {type = "linear", out_features = 10},
]
[optimizer]
name = "adam"
lr = 1e-2
[train]
epochs = 2
batch_size = 64
%(transfer)s
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    path = root / "source.toml"
    path.write_text(CNN % {"name": "source", "transfer": ""})
    return train_run(load_config(path), runs_root=root, verbose=False)


def test_fine_tuning_run_keeps_the_frozen_layers_and_trains_a_fresh_head(source, tmp_path):
    path = tmp_path / "target.toml"
    path.write_text(CNN % {"name": "target", "transfer": f'[transfer]\nfrom = "{source.run_dir}"'
                                                         f'\nfreeze_upto = "2"'})
    target = train_run(load_config(path), runs_root=tmp_path, verbose=False)
    before, after = load_run(source.run_dir).model, load_run(target.run_dir).model
    np.testing.assert_array_equal(after[1].weight.data, before[1].weight.data)  # frozen conv
    assert not np.array_equal(after[5].weight.data, before[5].weight.data)  # trained head
    assert target.test["accuracy"] > 0.5


def test_transfer_from_a_missing_run_or_to_a_missing_layer_is_clear(source, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(CNN % {"name": "bad", "transfer": '[transfer]\nfrom = "no/such/run"'})
    with pytest.raises(FileNotFoundError, match="no/such/run has no config.toml"):
        train_run(load_config(path), runs_root=tmp_path, verbose=False)
    path.write_text(CNN % {"name": "bad", "transfer": f'[transfer]\nfrom = "{source.run_dir}"'
                                                      f'\nfreeze_upto = "9"'})
    with pytest.raises(ValueError, match="no child '9'"):
        train_run(load_config(path), runs_root=tmp_path, verbose=False)


def test_export_run_writes_an_onnx_graph_that_onnxruntime_runs(source, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    loaded = load_run(source.run_dir)
    path = export_run(source.run_dir, tmp_path / "model.onnx")
    x = np.random.default_rng(0).uniform(0, 16, (5, 1, 8, 8)).astype(np.float32)
    (theirs,) = ort.InferenceSession(str(path)).run(None, {"input": x})
    np.testing.assert_allclose(theirs, loaded.model(x).data, atol=1e-5, rtol=1e-5)
