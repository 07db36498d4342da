"""Loading PyTorch weights: a state dict saved with ``safetensors.torch.save_file``.

chainrule's layers keep torch's parameter names and layouts (Linear (out, in),
Conv (out, in / groups, kh, kw), ConvTranspose (in, out / groups, kh, kw),
BatchNorm's weight, bias, running_mean, running_var, num_batches_tracked), so a
model built with the same structure loads a torch state dict key for key; a
``mapping`` renames torch's module prefixes (``conv1`` -> ``0``) when the two
models name their layers differently. The file is read with safetensors' NumPy
API: torch is not needed, and nothing is unpickled.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import numpy as np

from chainrule.nn.module import Module
from chainrule.nn.state import IncompatibleKeys, StateDictError

__all__ = ["load_torch"]


def _renamed(tensors: dict[str, np.ndarray], mapping: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Keys with their longest matching torch prefix replaced by chainrule's."""
    out: dict[str, np.ndarray] = {}
    for key, value in tensors.items():
        prefixes = [p for p in mapping if key == p or key.startswith(p + ".")]
        new = key
        if prefixes:
            p = max(prefixes, key=len)
            new = mapping[p] + key[len(p):]
        if new in out:
            raise StateDictError(f"load_torch: mapping sends two tensors to {new!r}")
        out[new] = value
    return out


def load_torch(path: str | PathLike, model: Module, *, mapping: Mapping[str, str] | None = None,
               strict: bool = True) -> IncompatibleKeys:
    """Copy a PyTorch state dict (a safetensors file) into ``model``'s parameters and buffers.

    Every key, shape and dtype is checked before anything is copied: a
    mismatch raises :class:`~chainrule.nn.StateDictError` (a ValueError) naming
    each offending key with the file's and the model's shapes, and the model is
    left unchanged.

    Args:
        path: the file written by ``safetensors.torch.save_file(model.state_dict(), path)``.
        model: a chainrule model with the same layers (Linear, Conv1d/2d,
            ConvTranspose2d, BatchNorm1d/2d including running statistics, ...).
        mapping: torch module prefix -> chainrule module prefix, e.g.
            ``{"conv1": "0", "fc1": "7"}`` for torch's examples/mnist ``Net`` loaded
            into an ``nn.Sequential``. Defaults to the same names.
        strict: every key of the model must be in the file and vice versa. Defaults to ``True``.

    Returns:
        ``IncompatibleKeys(missing_keys, unexpected_keys)`` (both empty when strict).
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_torch: no file at {path}")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, ValueError, TypeError, OSError) as exc:
        raise ValueError(f"load_torch: {path} is not a readable safetensors file of NumPy-"
                         f"compatible tensors (bfloat16 is not): {exc}") from None
    if mapping:
        tensors = _renamed(tensors, mapping)
    try:
        return model.load_state_dict(tensors, strict=strict)
    except StateDictError as exc:
        raise StateDictError(f"load_torch({path.name}): {exc}".replace(
            "in the state dict", "in the file")) from None
