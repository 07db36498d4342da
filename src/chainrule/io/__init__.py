"""Files: atomic writes, strict JSON and safetensors checkpoints (no pickle anywhere).

Everything written into a run folder goes through :func:`write_atomic` (temp
file, fsync, rename, folder fsync; :func:`deferred_dir_sync` syncs each folder once
for a block of writes) or :func:`write_json` (strict JSON on top of
it, non-finite numbers as ``null``); checkpoints through :func:`save`.

Layer: a service any package may use: imports ``autograd`` (tensors in and out) and, for
``load_torch`` and ``export_onnx`` only, ``nn``'s layer classes.
"""

from chainrule.io.atomic import deferred_dir_sync, remove_stale_temps, write_atomic
from chainrule.io.checkpoint import CheckpointError, load, load_metadata, save
from chainrule.io.jsonio import dumps_json, jsonable, loads_json_strict, write_json

__all__ = ["CheckpointError", "deferred_dir_sync", "dumps_json", "export_onnx", "jsonable", "load",
           "load_metadata", "load_torch", "loads_json_strict", "remove_stale_temps", "save",
           "write_atomic", "write_json"]


def __getattr__(name: str) -> object:
    """``export_onnx`` and ``load_torch`` load their modules (and onnx) on first use."""
    if name == "export_onnx":
        from chainrule.io.onnx import export_onnx
        return export_onnx
    if name == "load_torch":
        from chainrule.io.torch import load_torch
        return load_torch
    raise AttributeError(f"module 'chainrule.io' has no attribute {name!r}")
