"""Content-addressed file store under ``instance/files/``.

Files are named by their SHA-256, written once through a temporary file and an atomic
rename, and never modified: the same bytes stored twice are one file, and what is read
back is byte for byte what was stored.
"""

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


def put(data: bytes) -> str:
    """Store ``data`` and return its SHA-256 hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
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
    return digest


def get(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()


def exists(sha256: str) -> bool:
    return path_for(sha256).exists()
