"""load_torch: a torch-saved safetensors state dict loaded into the equivalent chainrule model."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.io import load_torch
from chainrule.nn import StateDictError

torch = pytest.importorskip("torch")
save_file = pytest.importorskip("safetensors.torch").save_file


def _layers(m):
    return [m.Conv2d(1, 4, 3, padding=1), m.BatchNorm2d(4), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(4, 6, 3, groups=2),
            m.ReLU(), m.Flatten(), m.Linear(6 * 2 * 2, 8), m.BatchNorm1d(8), m.ReLU(),
            m.Dropout(0.5), m.Linear(8, 3)]


def _trained_torch_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(*_layers(torch.nn))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):  # moves the weights and the running statistics away from their init
        opt.zero_grad()
        model(torch.randn(5, 1, 8, 8)).square().mean().backward()
        opt.step()
    return model.eval()


def test_torch_state_dict_loads_with_equal_outputs(tmp_path):
    theirs = _trained_torch_model()
    save_file(theirs.state_dict(), tmp_path / "model.safetensors")
    ours = nn.Sequential(*_layers(nn))
    result = load_torch(tmp_path / "model.safetensors", ours)
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(0).standard_normal((4, 1, 8, 8)).astype(np.float32)
    ours.eval()
    with cr.no_grad():
        out = ours(x).data
    np.testing.assert_allclose(out, theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-5)
    bn = ours[8]
    np.testing.assert_array_equal(bn.running_var, theirs[8].running_var.numpy())
    assert int(bn.num_batches_tracked) == 3


def test_mapping_renames_torchs_module_names(tmp_path):
    class Net(torch.nn.Module):  # torch's examples/mnist style: named layers
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 2, 3)
            self.fc1 = torch.nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            return self.fc1(torch.flatten(torch.relu(self.conv1(x)), 1))

    theirs = Net()
    save_file(theirs.state_dict(), tmp_path / "net.safetensors")
    ours = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3))
    load_torch(tmp_path / "net.safetensors", ours, mapping={"conv1": "0", "fc1": "3"})
    x = np.random.default_rng(1).standard_normal((2, 1, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(),
                               atol=1e-5)


def test_mismatch_names_key_and_both_shapes_and_changes_nothing(tmp_path):
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    save_file(theirs.state_dict(), tmp_path / "m.safetensors")
    ours = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    before = {k: v.copy() for k, v in ours.state_dict().items()}
    with pytest.raises(StateDictError, match=r"'0.weight': shape \(3, 4\) in the file, "
                                             r"\(5, 4\) in the model"):
        load_torch(tmp_path / "m.safetensors", ours)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(StateDictError, match=r"missing keys: \['2.bias'\]"):
        torch_model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(),
                                          torch.nn.Linear(5, 2, bias=False))
        save_file(torch_model.state_dict(), tmp_path / "nobias.safetensors")
        load_torch(tmp_path / "nobias.safetensors", ours)


def test_missing_or_broken_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at"):
        load_torch(tmp_path / "absent.safetensors", nn.Linear(2, 2))
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        load_torch(tmp_path / "bad.safetensors", nn.Linear(2, 2))
