"""A folder of numbered checkpoints: atomic saves, the newest intact one on load, pruning."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from chainrule import io

_NAME = re.compile(r"^ckpt-(\d{9})\.safetensors$")


class CheckpointStore:
    """Checkpoints ``ckpt-<step>.safetensors`` in ``directory``, newest last.

    Saves go through :func:`chainrule.io.save` (temp file, fsync, rename), so a
    crash leaves either the old set or the new file complete. Loading tries
    the newest checkpoint first and falls back to older ones with a warning
    when a file is truncated or corrupt.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def paths(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if _NAME.match(p.name)]
        return sorted(found, key=lambda p: int(_NAME.match(p.name).group(1)))

    def save(self, state: dict[str, Any], step: int, keep_last: int | None = None) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"ckpt-{step:09d}.safetensors"
        io.save(state, path)
        if keep_last:
            for old in self.paths()[:-keep_last]:
                old.unlink(missing_ok=True)
        return path

    def load_latest(self) -> tuple[dict[str, Any], Path] | None:
        """The newest checkpoint that loads, or None when there is none."""
        paths = self.paths()
        for i, path in enumerate(reversed(paths)):
            try:
                return io.load(path), path
            except (io.CheckpointError, OSError) as exc:
                older = paths[-i - 2].name if i + 1 < len(paths) else "none left"
                warnings.warn(f"checkpoint {path} is unreadable ({exc}); falling back to the "
                              f"previous one ({older})", stacklevel=2)
        return None
