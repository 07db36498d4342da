"""Atomic file writes: the one way anything is written into a run folder.

``write_atomic`` writes to a temporary file ``.<name>.<random>.tmp`` next to
the target, flushes and fsyncs it, renames it over the target and fsyncs the
folder, so a crash at any moment leaves either the old file or the new one,
never a part of one. A kill between the temporary file's creation and the
rename can leave the temporary file behind; :func:`remove_stale_temps`
deletes those (a resumed run calls it on the folders it owns).

A job writing several files into one folder (a search trial's run folder) writes them
inside :func:`deferred_dir_sync`: each file is still fsynced and renamed into place (old
or new, never a part), and each folder is fsynced once when the block ends, which makes
every rename in it durable at once (one folder fsync instead of one per file).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"
# folders whose fsync write_atomic leaves to the enclosing deferred_dir_sync (per thread)
_DEFERRED: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar(
    "deferred_dir_sync", default=None)


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path``: temp file, fsync, rename, dir fsync.

    Raises:
        FileNotFoundError: the folder of ``path`` does not exist (nothing is written).
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode()
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"write to {str(path)!r}: folder {str(folder)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    deferred = _DEFERRED.get()
    if deferred is None:
        fsync_dir(folder)
    else:
        deferred.add(folder)


@contextlib.contextmanager
def deferred_dir_sync() -> Iterator[None]:
    """Within the block, :func:`write_atomic` (in this thread) leaves out the folder fsync
    after its rename; each folder written into is fsynced once when the block ends, even
    when it ends with an exception. A write is atomic as ever, and durable once the block
    has ended. Nested blocks sync when the outermost one ends.
    """
    if _DEFERRED.get() is not None:
        yield
        return
    folders: set[Path] = set()
    token = _DEFERRED.set(folders)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        for folder in sorted(folders):
            fsync_dir(folder)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename or unlink in ``folder`` durable (a no-op where folders cannot be opened)."""
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def remove_stale_temps(folder: str | os.PathLike, name: str = "*") -> list[Path]:
    """Delete the temporary files :func:`write_atomic` left in ``folder`` when it was killed
    before its rename: ``.<name>.*.tmp`` (``name`` is a glob of target names, default all).

    Only call this on a folder no other process is writing into. Returns the removed paths.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stale = sorted(p for p in folder.glob(f".{name}.*{TEMP_SUFFIX}") if p.is_file())
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        fsync_dir(folder)
    return stale
