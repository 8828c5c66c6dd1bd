"""Outlook .msg files (OLE compound documents) to a ``RawMail``, via extract-msg.

extract-msg is imported lazily: it is large, and only .msg input needs it. Without it,
``read_msg`` raises ``MailParseError``.
"""

from __future__ import annotations

import contextlib
from email.utils import format_datetime

from .attachments import make_attachment
from .charsets import decode_bytes
from .mime import MAX_NESTING, RawMail
from .model import MailParseError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_bytes(value)
    return str(value)


def _convert(m, diagnostics: list[str], depth: int) -> RawMail:
    raw = RawMail()
    for key, attr in (("from", "sender"), ("to", "to"), ("cc", "cc"), ("bcc", "bcc")):
        try:
            val = _text(getattr(m, attr, None))
        except Exception:  # noqa: BLE001 - a missing property must not lose the rest
            val = ""
        if val:
            raw.headers[key] = val
    with contextlib.suppress(Exception):  # a missing subject property is no subject
        raw.headers["subject"] = _text(m.subject)
    try:
        dt = m.date
        if dt is not None:
            raw.headers["date"] = format_datetime(dt) if dt.tzinfo else dt.isoformat()
    except Exception:  # noqa: BLE001
        diagnostics.append(".msg date could not be read")
    with contextlib.suppress(Exception):  # optional property
        mid = m.messageId
        if mid:
            raw.headers["message-id"] = _text(mid)
    try:
        raw.text = _text(m.body).replace("\r\n", "\n")
    except Exception:  # noqa: BLE001
        diagnostics.append(".msg plain body could not be read")
    try:
        html = m.htmlBody
        raw.html = _text(html) if html else None
    except Exception:  # noqa: BLE001
        raw.html = None
    try:
        atts = list(m.attachments)
    except Exception:  # noqa: BLE001
        atts = []
        diagnostics.append(".msg attachments could not be read")
    for att in atts[:1000]:
        try:
            data = att.data
            name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
            if isinstance(data, (bytes, bytearray)):
                mt = getattr(att, "mimetype", None) or "application/octet-stream"
                raw.attachments.append(make_attachment(name, mt, bytes(data)))
            elif data is not None and hasattr(data, "body"):
                if depth + 1 > MAX_NESTING:
                    diagnostics.append("attached messages nested too deep; rest skipped")
                    continue
                raw.nested.append(_convert(data, diagnostics, depth + 1))
        except Exception as exc:  # noqa: BLE001 - one broken attachment, not the mail
            diagnostics.append(f".msg attachment skipped: {type(exc).__name__}")
    return raw


def read_msg(data: bytes, diagnostics: list[str]) -> RawMail:
    """Parse an Outlook .msg file. Raises ``MailParseError`` if extract-msg is missing or
    the file is not a readable .msg."""
    try:
        import extract_msg
    except ImportError as exc:
        raise MailParseError("reading .msg files needs the 'extract-msg' package") from exc
    try:
        m = extract_msg.openMsg(data)
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types for bad files
        raise MailParseError(f"not a readable Outlook .msg file ({type(exc).__name__})") from exc
    try:
        return _convert(m, diagnostics, 0)
    finally:
        with contextlib.suppress(Exception):  # closing must not mask the result
            m.close()
