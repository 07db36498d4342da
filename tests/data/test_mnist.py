"""MNIST: the real files (class counts), and download/parsing/errors on small generated files."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pytest

from chainrule.data import mnist
from chainrule.data.download import ChecksumError, DownloadError
from chainrule.data.mnist import MNIST, parse_idx
from tests.data.conftest import idx_bytes, md5

# The known class counts (LeCun et al.; also in the issue), not taken from our code.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def shared_data_root() -> Path | None:
    """$CHAINRULE_DATA when it holds mnist/, else ../shared/data next to the repository."""
    beside_repo = Path(__file__).resolve().parents[3] / "shared" / "data"
    candidates = [os.environ.get("CHAINRULE_DATA"), beside_repo]
    for root in candidates:
        if root and all((Path(root) / "mnist" / name).exists() for name in mnist.CHECKSUMS):
            return Path(root)
    return None


@pytest.fixture(scope="module")
def real_root():
    root = shared_data_root()
    if root is None:
        pytest.skip("MNIST files not found: set CHAINRULE_DATA to a folder with mnist/ "
                    "holding the four IDX gzip files (CI: ../shared/data)")
    return root


def test_real_mnist_class_counts_and_values(real_root):
    start = time.perf_counter()
    train, test = MNIST("train", root=real_root, download=False), MNIST("test", root=real_root,
                                                                        download=False)
    seconds = time.perf_counter() - start
    assert np.bincount(train.y).tolist() == TRAIN_COUNTS
    assert np.bincount(test.y).tolist() == TEST_COUNTS
    assert train.x.shape == (60000, 28, 28) and test.x.shape == (10000, 28, 28)
    assert train.x.dtype == np.float32 and train.y.dtype == np.int64
    assert train.x.min() == 0.0 and train.x.max() == 1.0
    assert train.num_classes == 10 and train.name == "mnist-train"
    print(f"MNIST train+test loaded in {seconds:.2f} s")  # reported, not asserted (shared box)


def test_real_mnist_flatten(real_root):
    flat = MNIST("test", root=real_root, download=False, flatten=True)
    assert flat.x.shape == (10000, 784)


def serve_small_mnist(file_server, small_mnist, monkeypatch, base="mirror/"):
    for name, (gz, raw, _) in small_mnist.items():
        file_server.files[base + name] = gz
        monkeypatch.setitem(mnist.CHECKSUMS, name, md5(raw))
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:1/", file_server.url + base])
    monkeypatch.delenv(mnist.MIRROR_ENV, raising=False)


def test_download_on_first_use(file_server, small_mnist, monkeypatch, tmp_path):
    serve_small_mnist(file_server, small_mnist, monkeypatch)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    train = MNIST("train")
    images = small_mnist["train-images-idx3-ubyte.gz"][2]
    np.testing.assert_array_equal(train.x, images.astype(np.float32) / 255)
    np.testing.assert_array_equal(train.y, np.arange(30) % 10)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(mnist.SPLITS["train"])
    served = len(file_server.requests)
    MNIST("train")  # second use reads the files, no network
    assert len(file_server.requests) == served


def test_mirror_from_environment_goes_first(file_server, small_mnist, monkeypatch, tmp_path):
    serve_small_mnist(file_server, small_mnist, monkeypatch, base="env/")
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:1/"])
    monkeypatch.setenv(mnist.MIRROR_ENV, file_server.url + "env/")
    assert mnist.mirrors()[0] == file_server.url + "env/"
    test = MNIST("test", root=tmp_path)
    np.testing.assert_array_equal(test.y, np.arange(10)[::-1])


def test_offline_error_names_file_checksum_and_folder(small_mnist, monkeypatch, tmp_path):
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:1/"])
    monkeypatch.delenv(mnist.MIRROR_ENV, raising=False)
    with pytest.raises(DownloadError) as err:
        MNIST("test", root=tmp_path)
    message = str(err.value)
    name = "t10k-images-idx3-ubyte.gz"
    assert name in message and mnist.CHECKSUMS[name] in message
    assert str(tmp_path / "mnist") in message


def test_missing_file_without_download(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        MNIST("train", root=tmp_path, download=False)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message and "6bbc9ace898e44ae57da46a324031adb" in message
    assert str(tmp_path / "mnist") in message


def write(folder: Path, name: str, raw: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(gzip.compress(raw, mtime=0))


def test_corrupt_file_is_a_checksum_error(tmp_path):
    write(tmp_path / "mnist", "train-images-idx3-ubyte.gz", b"\x00" * 100)
    with pytest.raises(ChecksumError) as err:
        MNIST("train", root=tmp_path, download=False)
    assert "train-images-idx3-ubyte.gz" in str(err.value)
    assert mnist.CHECKSUMS["train-images-idx3-ubyte.gz"] in str(err.value)
    assert "train-labels" not in str(err.value)


def test_truncated_gzip_is_reported(small_mnist, monkeypatch, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    folder = tmp_path / "mnist"
    for other, (gz, raw, _) in small_mnist.items():
        monkeypatch.setitem(mnist.CHECKSUMS, other, md5(raw))
        folder.mkdir(exist_ok=True)
        (folder / other).write_bytes(gz[: len(gz) // 2] if other == name else gz)
    with pytest.raises(ChecksumError, match=f"{name} is not a complete gzip file"):
        MNIST("test", root=tmp_path, download=False)


def test_wrong_magic_and_sizes_are_parse_errors():
    labels = idx_bytes(np.arange(5, dtype=np.uint8))
    np.testing.assert_array_equal(parse_idx(labels, "l", 0x801), np.arange(5))
    with pytest.raises(ValueError, match=r"magic number 0x00000801, expected 0x00000803"):
        parse_idx(labels, "l", 0x803)
    with pytest.raises(ValueError, match="truncated"):
        parse_idx(labels[:-1], "l", 0x801)
    with pytest.raises(ValueError, match="truncated"):
        parse_idx(labels + b"\x00", "l", 0x801)
    with pytest.raises(ValueError, match="too short"):
        parse_idx(b"\x00\x00", "l", 0x801)


def test_files_that_disagree_are_rejected(small_mnist, monkeypatch, tmp_path):
    # valid checksums (patched) but 30 images with 10 labels
    images = small_mnist["train-images-idx3-ubyte.gz"]
    labels = small_mnist["t10k-labels-idx1-ubyte.gz"]
    write(tmp_path / "mnist", "train-images-idx3-ubyte.gz", images[1])
    write(tmp_path / "mnist", "train-labels-idx1-ubyte.gz", labels[1])
    monkeypatch.setitem(mnist.CHECKSUMS, "train-images-idx3-ubyte.gz", md5(images[1]))
    monkeypatch.setitem(mnist.CHECKSUMS, "train-labels-idx1-ubyte.gz", md5(labels[1]))
    with pytest.raises(ValueError, match="10 labels"):
        MNIST("train", root=tmp_path, download=False)


def test_bad_split():
    with pytest.raises(ValueError, match="'valid'"):
        MNIST("valid")
