"""Checkpoints as safetensors files: nested dicts of arrays and JSON values, written atomically.

``save(obj, path)`` stores every array leaf of the nested dict ``obj`` as a
safetensors tensor under its path of keys joined with "/" (so state-dict
names such as "0.weight" stay whole), and everything else (ints, floats,
strings, bools, None, lists) plus the structure itself, a CRC-32 of each
array and the user's ``metadata`` as JSON in the safetensors header, with a
CRC-32 of that JSON too: a flipped bit anywhere (array data, a generator
state in the header) is a :class:`CheckpointError` naming the file. Nothing
is ever unpickled: a file can only yield arrays and JSON values.

Writes go through :func:`chainrule.io.write_atomic`, so a crash leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import safetensors.numpy as st

from chainrule.autograd.tensor import Tensor
from chainrule.io.atomic import write_atomic

FORMAT = "chainrule/1"
_KEYS = {"format": "chainrule.format", "tree": "chainrule.tree", "metadata": "chainrule.metadata",
         "crc": "chainrule.header_crc32"}
_SCALARS = (bool, int, float, str, type(None))


class CheckpointError(ValueError):
    """A checkpoint file is truncated, corrupted or not a checkpoint; the message names it."""


# ************************************************************* encoding


def _crc32(arr: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))


def _encode(node: Any, path: str, arrays: dict[str, np.ndarray]) -> dict:
    """The JSON skeleton of ``node``; array leaves are moved into ``arrays`` under ``path``."""
    where = repr(path) if path else "the top level"
    if isinstance(node, Tensor):
        node = node.data
    if isinstance(node, np.ndarray):
        if node.dtype.kind not in "biuf" or node.dtype.itemsize > 8:
            raise TypeError(f"save: array at {where} has dtype {node.dtype}; checkpoints hold "
                            "bool, integer and float arrays of at most 64 bits")
        # astype, not ascontiguousarray, which would turn a 0-d array into a 1-d one
        arr = node.astype(node.dtype.newbyteorder("<"), order="C", copy=False)
        arrays[path] = arr
        return {"array": path, "crc32": _crc32(arr)}
    if isinstance(node, np.generic):
        node = node.item()
    if isinstance(node, _SCALARS):
        return {"value": node}
    if isinstance(node, dict):
        items = []
        for key, child in node.items():
            if not isinstance(key, str) or not key or "/" in key:
                raise TypeError(f"save: key {key!r} at {where} must be a non-empty string "
                                "without '/'")
            items.append([key, _encode(child, f"{path}/{key}" if path else key, arrays)])
        return {"dict": items}
    if isinstance(node, (list, tuple)):
        return {"list": [_encode(child, f"{path}/{i}" if path else str(i), arrays)
                         for i, child in enumerate(node)]}
    raise TypeError(f"save: cannot store {type(node).__name__} at {where}; leaves must be "
                    "arrays, Tensors, or int / float / str / bool / None")


def _decode(node: Any, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise CheckpointError(f"malformed structure entry {node!r}")
    if "value" in node:
        return node["value"]
    if "dict" in node:
        return {key: _decode(child, arrays, used) for key, child in node["dict"]}
    if "list" in node:
        return [_decode(child, arrays, used) for child in node["list"]]
    key = node.get("array")
    if key not in arrays:
        raise CheckpointError(f"array {key!r} listed in the header is not in the file")
    arr = arrays[key]
    if _crc32(arr) != node.get("crc32"):
        raise CheckpointError(f"the data of array {key!r} is corrupted (checksum mismatch)")
    used.add(key)
    return arr


# ************************************************************* files


def _read_header(path: Path, data: bytes) -> dict:
    """The JSON header of a safetensors file, with clear errors for truncation and garbage."""
    if len(data) < 8:
        raise CheckpointError(f"{path}: truncated or not a safetensors file ({len(data)} bytes; "
                              "it must start with an 8-byte header length)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise CheckpointError(f"{path}: truncated or corrupt: the header says {n} bytes but only "
                              f"{len(data) - 8} follow")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: corrupt header ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: corrupt header (not a JSON object)")
    return header


def _header_crc(tree_json: str, meta_json: str) -> str:
    return str(zlib.crc32(f"{tree_json}\0{meta_json}".encode()))


def _metadata_of(path: Path, header: dict) -> dict[str, str]:
    """The header's ``__metadata__``, its checksum verified (files written before there was
    one carry none and are not checked)."""
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: corrupt header (__metadata__ is not an object)")
    crc = meta.get(_KEYS["crc"])
    if crc is not None and crc != _header_crc(meta.get(_KEYS["tree"], ""),
                                              meta.get(_KEYS["metadata"], "")):
        raise CheckpointError(f"{path}: the header's structure or metadata is corrupted "
                              "(checksum mismatch)")
    return meta


def save(obj: dict, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """Write a nested dict of arrays and JSON values to a safetensors file, atomically.

    Args:
        obj: a dict (string keys without '/') whose values are ndarrays,
            Tensors, ints, floats, strs, bools, None, or lists and dicts of
            these. Arrays are stored as tensors named by their key path
            ("model/0.weight"), the rest in the JSON header.
        path: the file to write (its folder must exist). An existing file is
            replaced only once the new one is complete.
        metadata: JSON-serialisable dict kept in the header, readable without
            loading the arrays via :func:`load_metadata`. Defaults to ``None``.

    Raises:
        TypeError: a leaf or key that cannot be stored (nothing is written).

    Example:
        >>> import numpy as np, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> save({"model": {"0.weight": np.ones((2, 2))}, "epoch": 3}, p)
        >>> load(p)["epoch"]
        3
    """
    if not isinstance(obj, dict):
        raise TypeError(f"save: expected a dict, got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, "", arrays)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict, got {type(metadata).__name__}")
    try:
        meta_json = json.dumps({} if metadata is None else metadata)
    except (TypeError, ValueError) as e:
        raise TypeError(f"save: metadata must be JSON-serialisable: {e}") from None
    tree_json = json.dumps(tree)
    header = {_KEYS["format"]: FORMAT, _KEYS["tree"]: tree_json, _KEYS["metadata"]: meta_json,
              _KEYS["crc"]: _header_crc(tree_json, meta_json)}
    write_atomic(path, st.save(arrays, metadata=header))


def load(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`save`: the same nested dict, arrays as ndarrays.

    A safetensors file written by another tool loads as a flat dict of its
    tensors by name. Never unpickles.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: the file is truncated, corrupted (checksum mismatch)
            or not a safetensors file; the message names the file.
    """
    path = Path(path)
    data = path.read_bytes()
    meta = _metadata_of(path, _read_header(path, data))
    try:
        arrays = st.load(data)
    except Exception as e:  # safetensors raises its own SafetensorError
        raise CheckpointError(f"{path}: corrupt or truncated ({e})") from None
    if _KEYS["tree"] not in meta:
        return arrays
    try:
        tree = json.loads(meta[_KEYS["tree"]])
        used: set[str] = set()
        obj = _decode(tree, arrays, used)
    except CheckpointError as e:
        raise CheckpointError(f"{path}: {e}") from None
    except (json.JSONDecodeError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: corrupt structure in the header ({e})") from None
    extra = sorted(set(arrays) - used)
    if extra:
        raise CheckpointError(f"{path}: arrays {extra} are not described by the header")
    return obj


def load_metadata(path: str | os.PathLike) -> dict:
    """The ``metadata`` dict given to :func:`save`, read from the header alone ({} if none)."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(8)
        n = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
        size = os.fstat(f.fileno()).st_size
        data = head + (f.read(n) if len(head) == 8 and n <= size - 8 else b"")
    meta = _metadata_of(path, _read_header(path, data))
    try:
        return json.loads(meta.get(_KEYS["metadata"], "{}"))
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: corrupt metadata ({e})") from None
