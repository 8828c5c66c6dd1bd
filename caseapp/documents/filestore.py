"""Content-addressed file store under ``instance/files/``.

Files are named by their SHA-256, written once through a temporary file and an atomic
rename, and never modified: the same bytes stored twice are one file, and what is read
back is byte for byte what was stored.

Durable before ``put`` returns: the file's bytes are fsync'ed before the rename, and the
directory holding the new name after it (and, for a directory ``put`` had to create, the
one holding that directory), so a row committed after ``put`` never names a file that a
power loss could take away. A file that is there already is not written again, but the
directories on its path are synced: another process may have stored it a moment ago and
not yet synced its name (its bytes it syncs before the rename, so they are durable once
the name is visible). A bulk import does not call ``put`` again for what its read-ahead
workers stored: it checks with ``exists``.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

_HEX = frozenset("0123456789abcdef")


def store_root() -> Path:
    return Path(current_app.instance_path) / "files"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError("not a sha256 digest")
    return store_root() / sha256[:2] / sha256[2:4] / sha256


def _fsync_dir(path: Path) -> None:
    """Make the entries of directory ``path`` (a new name in it) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents, each one's name made durable in its parent."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for d in reversed(missing):
        # Made meanwhile by another process: its parent is synced here all the same.
        with contextlib.suppress(FileExistsError):
            d.mkdir()
        _fsync_dir(d.parent)


def put(data: bytes) -> str:
    """Store ``data`` durably (see above) and return its SHA-256 hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        for directory in target.parents[:4]:  # its folder, the one above, the store, instance/
            _fsync_dir(directory)
        return digest
    _make_dirs(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return digest


def stored_path(sha256: str) -> Path:
    """The path of a stored file, to stream it from (a download); FileNotFoundError when
    the store does not hold it."""
    path = path_for(sha256)
    if not path.is_file():
        raise FileNotFoundError(sha256)
    return path


def get(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()


def exists(sha256: str) -> bool:
    return path_for(sha256).exists()
