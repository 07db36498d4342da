"""Saving and loading: safetensors checkpoints with atomic writes and no pickle."""

from chainrule.io.checkpoint import CheckpointError, load, load_metadata, save, write_atomic

__all__ = ["CheckpointError", "load", "load_metadata", "save", "write_atomic"]
