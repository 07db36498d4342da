"""Fetch a file from a list of mirrors: resumable, verified, written atomically.

The bytes go to ``<dest>.part``; an interrupted transfer leaves that partial file behind and the
next attempt asks the server for the rest (HTTP ``Range``). Only a file that passes the
caller's check is renamed to ``dest`` (``os.replace``, atomic on POSIX); a file that fails the
check is deleted, so nothing half-good is ever left under the final name.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

CHUNK = 1 << 20
_log = logging.getLogger("chainrule.data")


class DownloadError(OSError):
    """No mirror delivered a verified copy of the file (the message lists every attempt)."""


class ChecksumError(ValueError):
    """A file's content does not match its published checksum."""


def download(urls: Sequence[str], dest: str | Path, verify: Callable[[Path], None], *,
             timeout: float = 30.0, progress: bool | None = None, hint: str = "") -> Path:
    """Download ``dest`` from the first of ``urls`` that delivers a copy passing ``verify``.

    Args:
        urls: mirrors' addresses of the same file, tried in order.
        dest: the final path; the download goes to ``dest + ".part"`` first.
        verify: called on the downloaded file; raises :class:`ChecksumError` when it is bad.
        timeout: seconds to wait for a server before trying the next one. Defaults to 30.
        progress: show a rich progress bar. Defaults to ``None``: only when stderr is a terminal.
        hint: appended to the error message (e.g. how to fetch the file by hand).

    Returns:
        ``dest``, complete and verified.

    Raises:
        DownloadError: every mirror failed (network error, bad checksum) or the folder is not
            writable. A partial download is kept for a later resume; a bad copy is deleted.
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {dest.parent} for {dest.name}: {exc}"
                            f"{hint}") from exc
    show = sys.stderr.isatty() if progress is None else progress
    errors = []
    for url in urls:
        for _ in range(2):
            resumed = part.exists() and part.stat().st_size > 0
            try:
                _fetch(url, part, timeout, show)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{url}: {exc}")
                break
            try:
                verify(part)
            except ChecksumError as exc:
                part.unlink(missing_ok=True)
                if resumed:  # the partial bytes may come from another copy: retry from zero
                    continue
                errors.append(f"{url}: {exc}")
                break
            _commit(part, dest)
            return dest
    tried = "\n".join(f"  - {e}" for e in errors) or "  (no mirror configured)"
    kept = f"\nThe partial download {part} is kept to resume." if part.exists() else ""
    raise DownloadError(f"could not download {dest.name} into {dest.parent}:\n{tried}{kept}"
                        f"{hint}")


def _fetch(url: str, part: Path, timeout: float, show: bool) -> None:
    """Append the rest of ``url`` to ``part`` (all of it when ``part`` is absent)."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "chainrule"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urlopen(Request(url, headers=headers), timeout=timeout)
    except HTTPError as exc:
        if exc.code == 416 and offset:  # nothing left past offset: the partial file is whole
            return
        raise
    with response:
        if offset and response.status != 206:
            offset = 0  # the server ignores Range: start again from the first byte
        elif offset and not response.headers.get("Content-Range", "").startswith(
                f"bytes {offset}-"):
            raise DownloadError(f"{url} answered the range request from byte {offset} with "
                                f"Content-Range {response.headers.get('Content-Range')!r}")
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        _log.info("downloading %s from %s", part.name.removesuffix(".part"), url)
        with open(part, "ab" if offset else "wb") as f, \
                _progress(part.name.removesuffix(".part"), offset, total, show) as advance:
            while chunk := response.read(CHUNK):
                f.write(chunk)
                advance(len(chunk))
            f.flush()
            os.fsync(f.fileno())
    size = part.stat().st_size
    if total is not None and size != total:
        raise DownloadError(f"connection closed after {size} of {total} bytes")


@contextlib.contextmanager
def _progress(label: str, done: int, total: int | None,
              show: bool) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(nbytes)``: a rich download bar when ``show``, else a no-op."""
    if not show:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total, completed=done)
        yield lambda n: bar.advance(task, n)


def _commit(part: Path, dest: Path) -> None:
    """Rename the verified file into place and make the rename durable."""
    os.replace(part, dest)
    with contextlib.suppress(OSError):  # directories cannot be opened for fsync everywhere
        fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
