import os
import pickle

import numpy as np
import pytest
import safetensors.numpy

import chainrule as cr
from chainrule import io, nn
from chainrule.io import CheckpointError


def _state():
    rng = np.random.default_rng(0)
    return {
        "model": {"0.weight": rng.standard_normal((3, 4)).astype(np.float32),
                  "0.bias": np.zeros(3, dtype=np.float32),
                  "1.num_batches_tracked": np.array(5, dtype=np.int64)},
        "optimizer": {"step": 12, "lr": 0.001, "betas": [0.9, 0.999], "name": "adam",
                      "nesterov": False, "clip": None,
                      "moments": [np.ones(2), {"v": np.arange(3, dtype=np.int32)}]},
        "tensor": cr.tensor([1.0, 2.0]),
        "flags": np.array([True, False]),
        "empty": np.zeros((0, 3)),
        "nothing": {},
    }


def _assert_same(a, b):
    assert type(a) is type(b) or isinstance(a, np.ndarray) and isinstance(b, cr.Tensor), \
        (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        b = b.data if isinstance(b, cr.Tensor) else b
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    else:
        assert a == b


def test_round_trip_nested_structure_bit_exact(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    state = _state()
    io.save(state, path, metadata={"epoch": 3, "note": "best"})
    loaded = io.load(path)
    _assert_same(loaded, state)
    assert isinstance(loaded["optimizer"]["step"], int)
    assert io.load_metadata(path) == {"epoch": 3, "note": "best"}
    # Arrays are real safetensors tensors named by their key path.
    flat = safetensors.numpy.load_file(str(path))
    assert "model/0.weight" in flat and "optimizer/moments/1/v" in flat


def test_exported_at_top_level(tmp_path):
    path = tmp_path / "a.safetensors"
    cr.save({"x": np.arange(3)}, path)
    np.testing.assert_array_equal(cr.load(path)["x"], np.arange(3))
    assert io.load_metadata(path) == {}


def test_overwrite_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    io.save({"v": np.ones(3)}, path)
    io.save({"v": np.full(3, 2.0)}, path)
    np.testing.assert_array_equal(io.load(path)["v"], 2.0)
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        io.save({"v": np.full(3, 9.0)}, path)
    np.testing.assert_array_equal(io.load(path)["v"], 2.0)  # the old file is intact
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_unsupported_values_raise_before_writing(tmp_path):
    path = tmp_path / "bad.safetensors"
    with pytest.raises(TypeError, match="cannot store set at 'a/b'"):
        io.save({"a": {"b": {1, 2}}}, path)
    with pytest.raises(TypeError, match="key 'x/y' at the top level must be"):
        io.save({"x/y": 1}, path)
    with pytest.raises(TypeError, match="key 3 at 'opt'"):
        io.save({"opt": {3: 1}}, path)
    with pytest.raises(TypeError, match="dtype complex128"):
        io.save({"z": np.zeros(2, dtype=complex)}, path)
    with pytest.raises(TypeError, match="metadata must be JSON-serialisable"):
        io.save({"a": 1}, path, metadata={"f": object()})
    with pytest.raises(TypeError, match="expected a dict"):
        io.save([np.zeros(1)], path)
    assert not path.exists()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        io.save({"a": 1}, tmp_path / "missing" / "x.safetensors")


@pytest.mark.parametrize("cut", [0, 5, 8, 40, -30, -1])
def test_truncated_file_raises_checkpoint_error_naming_it(tmp_path, cut):
    path = tmp_path / "ckpt.safetensors"
    io.save(_state(), path)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(CheckpointError, match="ckpt.safetensors"):
        io.load(path)


def test_flipped_data_byte_is_detected(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    io.save(_state(), path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # inside the tensor data, past the header
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted \\(checksum mismatch\\)"):
        io.load(path)


def test_garbage_header_and_pickles_are_rejected(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    io.save({"a": np.ones(2)}, path)
    data = bytearray(path.read_bytes())
    data[8] = ord("x")  # the header is no longer JSON
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupt header"):
        io.load(path)
    pickled = tmp_path / "evil.pt"
    pickled.write_bytes(pickle.dumps({"a": np.ones(2)}))
    with pytest.raises(CheckpointError, match="evil.pt"):
        io.load(pickled)
    assert isinstance(CheckpointError("x"), ValueError)


def test_foreign_safetensors_file_loads_flat(tmp_path):
    path = tmp_path / "foreign.safetensors"
    safetensors.numpy.save_file({"encoder.w": np.ones((2, 2), dtype=np.float32)}, str(path))
    loaded = io.load(path)
    assert list(loaded) == ["encoder.w"]
    assert io.load_metadata(path) == {}


def _model():
    return nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))


def _bytes(model):
    return {k: v.tobytes() for k, v in model.state_dict().items()}


def test_model_round_trip_and_corrupt_file_leaves_model_unchanged(tmp_path):
    source = _model()
    source[1](cr.randn(8, 5))  # move the running statistics
    path = tmp_path / "model.safetensors"
    io.save({"model": source.state_dict(), "epoch": 1}, path)
    target = _model()
    target.load_state_dict(io.load(path)["model"])
    assert _bytes(target) == _bytes(source)

    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    fresh = _model()
    before = _bytes(fresh)
    with pytest.raises(CheckpointError):
        fresh.load_state_dict(io.load(path)["model"])
    assert _bytes(fresh) == before


def test_wrong_architecture_raises_before_changing_anything(tmp_path):
    path = tmp_path / "model.safetensors"
    _model().save(path)
    wider = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    before = _bytes(wider)
    with pytest.raises(nn.StateDictError, match=r"'0.weight': shape \(5, 4\) in the state dict, "
                                                r"\(6, 4\) in the model"):
        wider.load(path)
    assert _bytes(wider) == before
