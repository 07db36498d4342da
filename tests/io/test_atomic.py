import os

import pytest

from chainrule import io


def test_write_atomic_replaces_whole_files_and_leaves_no_temp(tmp_path):
    path = tmp_path / "a.txt"
    io.write_atomic(path, "one")
    io.write_atomic(path, b"two")
    assert path.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_atomic_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        io.write_atomic(tmp_path / "nowhere" / "a.txt", "x")


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    io.write_atomic(path, "old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        io.write_atomic(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_remove_stale_temps_removes_only_write_atomic_leftovers(tmp_path):
    for name in (".ckpt-000000003.safetensors.abc123.tmp", ".metrics.csv.x1.tmp", "keep.tmp",
                 "ckpt-000000003.safetensors", ".hidden"):
        (tmp_path / name).write_text("x")
    removed = io.remove_stale_temps(tmp_path, "ckpt-*")
    assert [p.name for p in removed] == [".ckpt-000000003.safetensors.abc123.tmp"]
    assert [p.name for p in io.remove_stale_temps(tmp_path)] == [".metrics.csv.x1.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden", "ckpt-000000003.safetensors",
                                                          "keep.tmp"]
    assert io.remove_stale_temps(tmp_path / "missing") == []
