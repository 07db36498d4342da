"""download(): mirrors in order, checksum, atomic rename, resume with HTTP Range."""

from __future__ import annotations

import gzip

import pytest

from chainrule.data.download import ChecksumError, DownloadError, download
from tests.data.conftest import md5

PAYLOAD = gzip.compress(bytes(range(256)) * 400, mtime=0)


def expecting(content: bytes):
    """A verify callback accepting only ``content`` (checked by md5, as the datasets do)."""
    def verify(path):
        got = md5(path.read_bytes())
        if got != md5(content):
            raise ChecksumError(f"{path.name}: md5 {got}, expected {md5(content)}")
    return verify


def test_checksum_pass_writes_the_file_atomically(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    dest = tmp_path / "sub" / "a.gz"
    assert download([file_server.url + "a.gz"], dest, expecting(PAYLOAD), progress=False) == dest
    assert dest.read_bytes() == PAYLOAD
    assert sorted(p.name for p in dest.parent.iterdir()) == ["a.gz"]  # no .part left


def test_checksum_failure_leaves_no_file_and_names_every_mirror(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD[:-1] + b"!"
    dest = tmp_path / "a.gz"
    with pytest.raises(DownloadError) as err:
        download([file_server.url + "a.gz", file_server.url + "missing.gz"], dest,
                 expecting(PAYLOAD), progress=False, hint="\nput it there by hand")
    assert list(tmp_path.iterdir()) == []
    message = str(err.value)
    assert "md5" in message and "a.gz" in message and "404" in message
    assert message.endswith("put it there by hand")


def test_next_mirror_is_tried_after_a_failure(file_server, tmp_path):
    file_server.files["good/a.gz"] = PAYLOAD
    dest = tmp_path / "a.gz"
    download(["http://127.0.0.1:1/a.gz", file_server.url + "bad/a.gz",
              file_server.url + "good/a.gz"], dest, expecting(PAYLOAD), progress=False)
    assert dest.read_bytes() == PAYLOAD


def test_resume_after_an_interrupted_download(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    file_server.truncate_once.add("a.gz")
    dest = tmp_path / "a.gz"
    with pytest.raises(DownloadError, match="kept to resume"):
        download([file_server.url + "a.gz"], dest, expecting(PAYLOAD), progress=False)
    part = tmp_path / "a.gz.part"
    assert part.stat().st_size == len(PAYLOAD) // 2 and not dest.exists()
    download([file_server.url + "a.gz"], dest, expecting(PAYLOAD), progress=False)
    assert dest.read_bytes() == PAYLOAD and not part.exists()
    assert file_server.requests[-1] == ("a.gz", f"bytes={len(PAYLOAD) // 2}-")


def test_resume_from_a_bad_partial_restarts_from_zero(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    (tmp_path / "a.gz.part").write_bytes(b"garbage from another copy")
    dest = tmp_path / "a.gz"
    download([file_server.url + "a.gz"], dest, expecting(PAYLOAD), progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert [r for _, r in file_server.requests] == ["bytes=25-", None]


def test_complete_partial_is_verified_after_416(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    (tmp_path / "a.gz.part").write_bytes(PAYLOAD)
    download([file_server.url + "a.gz"], tmp_path / "a.gz", expecting(PAYLOAD), progress=False)
    assert (tmp_path / "a.gz").read_bytes() == PAYLOAD


def test_server_ignoring_range_restarts_the_file(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    file_server.ignore_range = True
    (tmp_path / "a.gz.part").write_bytes(PAYLOAD[:100])
    download([file_server.url + "a.gz"], tmp_path / "a.gz", expecting(PAYLOAD), progress=False)
    assert (tmp_path / "a.gz").read_bytes() == PAYLOAD


def test_progress_bar_path(file_server, tmp_path):
    file_server.files["a.gz"] = PAYLOAD
    download([file_server.url + "a.gz"], tmp_path / "a.gz", expecting(PAYLOAD), progress=True)
    assert (tmp_path / "a.gz").read_bytes() == PAYLOAD


def test_offline_error_lists_attempts(tmp_path):
    with pytest.raises(DownloadError, match=r"127\.0\.0\.1:1/a\.gz"):
        download(["http://127.0.0.1:1/a.gz"], tmp_path / "a.gz", expecting(PAYLOAD),
                 progress=False, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DownloadError, match="cannot create the folder"):
        download(["http://127.0.0.1:1/a.gz"], blocker / "a.gz", expecting(PAYLOAD))
