"""The content-addressed file store: byte for byte, written once, durable before ``put``
returns (file fsync'ed before its rename, the directory after it)."""

import hashlib
import os
from pathlib import Path

import pytest

from caseapp.documents import filestore


@pytest.fixture
def synced(monkeypatch) -> list[str]:
    """The paths ``os.fsync`` is called on, in order (Linux: read from /proc/self/fd)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd")
    calls: list[str] = []
    real = os.fsync

    def fsync(fd):
        calls.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_put_stores_the_bytes_under_their_digest(app):
    data = b"\x00\xff binary \r\n and text\n" * 100
    digest = filestore.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    path = filestore.path_for(digest)
    assert path.read_bytes() == data == filestore.get(digest)
    assert filestore.exists(digest)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_the_file_and_every_new_directory_entry_are_synced(app, synced):
    root = filestore.store_root()
    assert not root.exists()
    digest = filestore.put(b"first")
    path = filestore.path_for(digest)
    # The file's bytes before the rename (as the temporary file), then the directory that
    # holds the new name; the directories put created are synced in their parents first.
    assert Path(synced[-2]).parent == path.parent and Path(synced[-2]).name.startswith(".tmp-")
    assert synced[-1] == str(path.parent)
    assert synced[:-2] == [str(root.parent), str(root), str(path.parent.parent)]

    synced.clear()
    other = b"second"
    other_path = filestore.path_for(hashlib.sha256(other).hexdigest())
    shared = other_path.parent.parent.exists()
    filestore.put(other)
    # Only what is new is synced: the store root and its existing levels are not again.
    assert synced[-1] == str(other_path.parent)
    assert str(root.parent) not in synced and (str(root) not in synced or not shared)


def test_an_existing_file_is_not_written_again(app, synced, monkeypatch):
    data = b"once"
    digest = filestore.put(data)
    path = filestore.path_for(digest)
    before = path.stat()
    synced.clear()

    def no_write(*args, **kwargs):
        raise AssertionError("the file was written again")

    monkeypatch.setattr(filestore.tempfile, "mkstemp", no_write)
    monkeypatch.setattr(filestore.os, "replace", no_write)
    assert filestore.put(data) == digest
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Its name is synced, with the directories above it: another process may have stored
    # the file a moment ago and not yet synced them.
    root = filestore.store_root()
    assert synced == [str(path.parent), str(path.parent.parent), str(root), str(root.parent)]


def test_a_failed_write_leaves_no_temporary_file(app, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(filestore.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        filestore.put(b"never")
    digest = hashlib.sha256(b"never").hexdigest()
    assert not filestore.exists(digest)
    assert not list(filestore.path_for(digest).parent.iterdir())
