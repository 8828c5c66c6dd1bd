"""Attachment records: safe file names, digests, and TNEF (winmail.dat) unpacking."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .model import AttachmentInfo

MAX_FILENAME = 200
_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|\u202a-\u202e\u2066-\u2069]")


def safe_filename(name: str | None, fallback: str = "attachment") -> str:
    """A bare file name: no directories, no control or bidi characters, never '.' or '..',
    at most ``MAX_FILENAME`` characters (the extension kept when shortening)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _BAD.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"_{2,}", "_", name)
    if not name or set(name) <= {".", "_", " "}:
        name = fallback
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name


def make_attachment(filename: str | None, media_type: str, content: bytes) -> AttachmentInfo:
    """An ``AttachmentInfo`` with a sanitised name and the sha256 of ``content``."""
    mt = (media_type or "application/octet-stream").lower()
    if not re.fullmatch(r"[a-z0-9.+-]{1,60}/[a-z0-9.+_-]{1,100}", mt):
        mt = "application/octet-stream"
    return AttachmentInfo(
        filename=safe_filename(filename),
        media_type=mt,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def unpack_tnef(data: bytes, diagnostics: list[str]) -> tuple[list[AttachmentInfo], str, str]:
    """Attachments, plain body and HTML body inside a TNEF (winmail.dat) blob. On failure,
    nothing, with a diagnostic (the caller keeps the blob itself as an attachment)."""
    import mimetypes

    try:
        from tnefparse import TNEF

        t = TNEF(data)
        out = []
        for a in t.attachments:
            try:
                name = a.long_filename() or a.name
            except Exception:  # noqa: BLE001 - tnefparse decodes names itself and may fail
                name = getattr(a, "name", "") or ""
            if isinstance(name, bytes):
                name = name.decode("cp1252", "replace")
            payload = a.data if isinstance(a.data, bytes) else bytes(a.data or b"")
            mt = mimetypes.guess_type(name or "")[0] or "application/octet-stream"
            out.append(make_attachment(name, mt, payload))
        body = t.body or b""
        html = t.htmlbody or b""
        if isinstance(body, bytes):
            body = body.decode("cp1252", "replace")
        if isinstance(html, bytes):
            html = html.decode("cp1252", "replace")
        return out, body or "", html or ""
    except Exception as exc:  # noqa: BLE001 - a broken winmail.dat must not break the mail
        diagnostics.append(f"winmail.dat could not be unpacked: {type(exc).__name__}")
        return [], "", ""
