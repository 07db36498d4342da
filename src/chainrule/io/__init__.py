"""Saving and loading: safetensors checkpoints with atomic writes and no pickle."""

from chainrule.io.checkpoint import CheckpointError, load, load_metadata, save, write_atomic

__all__ = ["CheckpointError", "export_onnx", "load", "load_metadata", "load_torch", "save",
           "write_atomic"]


def __getattr__(name: str) -> object:
    """``export_onnx`` and ``load_torch`` load their modules (and onnx) on first use."""
    if name == "export_onnx":
        from chainrule.io.onnx import export_onnx
        return export_onnx
    if name == "load_torch":
        from chainrule.io.torch import load_torch
        return load_torch
    raise AttributeError(f"module 'chainrule.io' has no attribute {name!r}")
