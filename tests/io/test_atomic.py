import os
import signal
import subprocess
import sys

import pytest

from chainrule import io
from tests.killing import REPO_ROOT


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


def _record_dir_syncs(monkeypatch) -> list:
    from chainrule.io import atomic

    synced = []
    monkeypatch.setattr(atomic, "fsync_dir", synced.append)
    return synced


def test_deferred_dir_sync_syncs_each_folder_once_when_the_block_ends(tmp_path, monkeypatch):
    synced = _record_dir_syncs(monkeypatch)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    with io.deferred_dir_sync():
        for name in ("x", "y", "z"):
            io.write_atomic(a / name, name)
        with io.deferred_dir_sync():  # nested: the outer block syncs
            io.write_atomic(b / "w", "w")
        assert synced == [] and (a / "y").read_text() == "y"
    assert synced == [a, b]
    io.write_atomic(a / "x", "again")  # outside a block: at once
    assert synced == [a, b, a]


def test_deferred_dir_sync_syncs_when_the_block_raises(tmp_path, monkeypatch):
    synced = _record_dir_syncs(monkeypatch)
    with pytest.raises(RuntimeError, match="stop"), io.deferred_dir_sync():
        io.write_atomic(tmp_path / "x", "x")
        raise RuntimeError("stop")
    assert synced == [tmp_path]


KILLED_IN_BLOCK = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from chainrule import io
from tests.killing import kill_inside_atomic_write

folder = Path(sys.argv[1])
kill_inside_atomic_write(lambda path: path.endswith("second.txt"))
with io.deferred_dir_sync():
    io.write_atomic(folder / "first.txt", "new first")
    io.write_atomic(folder / "second.txt", "new second")
"""


def test_a_kill_inside_a_deferred_block_leaves_old_or_new_files(tmp_path):
    io.write_atomic(tmp_path / "first.txt", "old first")
    io.write_atomic(tmp_path / "second.txt", "old second")
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_BLOCK, str(tmp_path), REPO_ROOT],
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / "first.txt").read_text() == "new first"
    assert (tmp_path / "second.txt").read_text() == "old second"  # whole, never a part
    assert [p.name for p in io.remove_stale_temps(tmp_path)] != []  # its fsynced temp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.txt", "second.txt"]
