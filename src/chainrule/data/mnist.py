"""MNIST (LeCun, Cortes, Burges): 70,000 handwritten digits, 28x28 grey levels, 10 classes.

The four IDX gzip files live in ``$CHAINRULE_DATA/mnist/`` (default ``~/.cache/chainrule``) and
are downloaded on first use from :data:`MIRRORS`. Checksums are those of the *decompressed*
bytes: copies recompressed by a mirror (or by hand) have another ``.gz`` md5 but the same
content, and the content is what matters.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from chainrule.data.datasets import ArrayDataset, data_root
from chainrule.data.download import ChecksumError, download

#: Base addresses tried in order; ``$CHAINRULE_MNIST_MIRROR`` (comma-separated) goes first.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
MIRROR_ENV = "CHAINRULE_MNIST_MIRROR"

#: md5 of each file's decompressed bytes.
CHECKSUMS: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
#: split -> (images file, labels file)
SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801  # unsigned bytes, 3 and 1 dimensions


def mirrors() -> list[str]:
    """The base addresses to try: those in ``$CHAINRULE_MNIST_MIRROR``, then :data:`MIRRORS`."""
    extra = os.environ.get(MIRROR_ENV, "").replace(",", " ").split()
    return [*extra, *MIRRORS]


class MNIST(ArrayDataset):
    """The MNIST digits as a dataset: ``x`` float32 in [0, 1] (pixel / 255), ``y`` int64 0..9.

    Shapes: x is (N, 28, 28), or (N, 784) with ``flatten=True``; N = 60,000 for ``"train"`` and
    10,000 for ``"test"``. Loading decodes both files in memory (well under 2 s).

    Args:
        split: ``"train"`` or ``"test"``. Defaults to ``"train"``.
        root: the data folder; files are read from ``root/mnist/``. Defaults to ``None``:
            ``$CHAINRULE_DATA``, else ``~/.cache/chainrule``.
        download: fetch missing files from the mirrors. Defaults to ``True``.
        flatten: return (N, 784) rows instead of (N, 28, 28) images. Defaults to ``False``.

    Raises:
        FileNotFoundError: a file is missing and ``download=False``.
        DownloadError: a file is missing and no mirror could deliver it (offline).
        ChecksumError: a file's decompressed md5 is wrong, or it is not a complete gzip file.
        ValueError: an IDX header (magic number, sizes) does not fit the data.
        Every message names the file, its expected md5 and the folder to put it in.
    """

    def __init__(self, split: str = "train", root: str | Path | None = None,
                 download: bool = True, flatten: bool = False):
        if split not in SPLITS:
            raise ValueError(f"MNIST split must be one of {sorted(SPLITS)}, got {split!r}")
        folder = Path(root).expanduser() / "mnist" if root is not None else data_root() / "mnist"
        image_file, label_file = SPLITS[split]
        images = _load(folder, image_file, IMAGES_MAGIC, download)
        labels = _load(folder, label_file, LABELS_MAGIC, download)
        if len(images) != len(labels) or images.shape[1:] != (28, 28):
            raise ValueError(f"MNIST {split}: {image_file} holds images of shape {images.shape} "
                             f"but {label_file} holds {len(labels)} labels; expected "
                             f"(N, 28, 28) images and N labels")
        x = np.divide(images, np.float32(255), dtype=np.float32)
        super().__init__(x.reshape(len(x), -1) if flatten else x, labels,
                         name=f"mnist-{split}", classes=[str(d) for d in range(10)])
        self.split = split


def _load(folder: Path, name: str, magic: int, download_missing: bool) -> np.ndarray:
    """The array in ``folder/name``: fetched if missing and allowed, verified, parsed."""
    path = folder / name
    if not path.exists():
        if not download_missing:
            raise FileNotFoundError(f"MNIST file {name} is missing from {folder}."
                                    f"{_manual(folder, name)}")
        download([base.rstrip("/") + "/" + name for base in mirrors()], path,
                 lambda p: _verified_bytes(p, name), hint=_manual(folder, name))
    return parse_idx(_verified_bytes(path, name), name, magic)


def _manual(folder: Path, name: str) -> str:
    bases = ", ".join(mirrors()) or "(none configured)"
    return (f"\nTo fetch it by hand, download {name} from one of {bases} and put it in "
            f"{folder} (md5 of the decompressed bytes: {CHECKSUMS[name]}); or set "
            f"$CHAINRULE_DATA to a folder whose mnist/ subfolder holds it.")


def _verified_bytes(path: Path, name: str) -> bytes:
    """The decompressed content of ``path``, after checking its md5 against :data:`CHECKSUMS`."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ChecksumError(f"{path} is not a complete gzip file ({exc}): delete it and "
                            f"download it again.{_manual(path.parent, name)}") from exc
    got = hashlib.md5(data).hexdigest()
    if got != CHECKSUMS[name]:
        raise ChecksumError(f"{path}: md5 of the decompressed bytes is {got}, expected "
                            f"{CHECKSUMS[name]}; the file is corrupt or not this MNIST file. "
                            f"Delete it and download it again.{_manual(path.parent, name)}")
    return data


def parse_idx(data: bytes, name: str, magic: int) -> np.ndarray:
    """Parse IDX bytes of unsigned bytes: magic number, big-endian int32 dims, then the values.

    Args:
        data: the decompressed file content.
        name: the file name, for error messages.
        magic: the expected magic number, 0x0000080D for unsigned bytes in D dimensions.

    Returns:
        A read-only uint8 view of ``data`` with the shape of the header.

    Raises:
        ValueError: wrong magic number, or a size that differs from the header's.
    """
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    found = struct.unpack(">I", data[:4])[0] if len(data) >= 4 else None
    if found is not None and found != magic:
        raise ValueError(f"{name}: IDX magic number 0x{found:08X}, expected 0x{magic:08X} "
                         f"(unsigned bytes, {ndim} dimension(s)); not the expected IDX file")
    if len(data) < header:
        raise ValueError(f"{name}: {len(data)} bytes is too short for an IDX header of "
                         f"{header} bytes; the file is truncated")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise ValueError(f"{name}: {len(data)} bytes, but its header announces shape {shape}, "
                         f"i.e. {expected} bytes; the file is truncated or corrupt")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
