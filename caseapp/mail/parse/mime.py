"""RFC 5322 / MIME bytes to a ``RawMail``: decoded headers, the text and HTML bodies,
attachments, and attached messages (message/rfc822, "forward as attachment") as nested
``RawMail``s.

Uses the stdlib parser with the compat32 policy (it is lenient and fast) and does its own
decoding, so that every charset and transfer encoding is decoded without raising. Work is
bounded: at most ``MAX_ATTACHMENTS`` attachments in the whole mail, message/rfc822 nesting
at most ``MAX_NESTING`` deep and multipart nesting at most ``MAX_MULTIPART_DEPTH``; beyond
that the rest is skipped with a diagnostic.
"""

from __future__ import annotations

import binascii
import contextlib
import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message

from .attachments import make_attachment, unpack_tnef
from .charsets import decode_bytes, decode_header_value
from .model import AttachmentInfo

MAX_ATTACHMENTS = 1000
MAX_NESTING = 10
MAX_MULTIPART_DEPTH = 40
MAX_HEADER_VALUE = 100_000
_FOLD = re.compile(r"\r?\n[ \t]+")
_WANTED = {
    "from", "sender", "to", "cc", "bcc", "date", "sent", "subject", "message-id",
    "in-reply-to", "references", "reply-to",
}  # fmt: skip


@dataclass
class RawMail:
    """One message as found in MIME: headers by lower-case name (unfolded, undecoded where
    they hold addresses so that quoting survives), decoded text and HTML, attachments."""

    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    html: str | None = None
    attachments: list[AttachmentInfo] = field(default_factory=list)
    nested: list[RawMail] = field(default_factory=list)


@dataclass
class _Budget:
    """Per-mail state: the attachment count, and base64 runs lifted out of a big input
    (token -> (start, end) in ``source``) so the stdlib parser never holds them as lines."""

    attachments: int = 0
    warned: bool = False
    source: bytes = b""
    blobs: dict[str, tuple[int, int]] = field(default_factory=dict)

    def restore(self, data: bytes) -> bytes:
        for token, (start, end) in self.blobs.items():
            if token.encode() in data:
                data = data.replace(token.encode() + b"\n", self.source[start:end])
        return data


# Only runs of whole 4-character groups are lifted, so each run decodes on its own.
_B64_RUN = re.compile(rb"(?m)^(?:(?:[A-Za-z0-9+/]{4}){10,25}\r?\n)++")
LIFT_ABOVE = 4 * 1024 * 1024  # inputs smaller than this are parsed as they are
LIFT_MIN_RUN = 256 * 1024
_TOKEN = "@@caseapp-blob-"  # noqa: S105 - a placeholder marker, not a secret


def _lift_base64(data: bytes, budget: _Budget) -> bytes:
    """Replace long base64 runs of a big input by short tokens (memory: the stdlib parser
    keeps every line of a part as a separate string, several times the input's size)."""
    if len(data) < LIFT_ABOVE:
        return data
    pieces: list[bytes] = []
    pos = 0
    for m in _B64_RUN.finditer(data):
        if m.end() - m.start() < LIFT_MIN_RUN:
            continue
        token = f"{_TOKEN}{len(budget.blobs)}@@"
        budget.blobs[token] = (m.start(), m.end())
        pieces.append(data[pos : m.start()])
        pieces.append(token.encode() + b"\n")
        pos = m.end()
    if not budget.blobs:
        return data
    pieces.append(data[pos:])
    budget.source = data
    return b"".join(pieces)


def _lifted_bytes(part: Message, raw: str, budget: _Budget) -> bytes | None:
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte != "base64":
        restored = budget.restore(raw.encode("ascii", "surrogateescape"))
        part.set_payload(restored.decode("ascii", "surrogateescape"))
        return None
    out: list[bytes] = []
    for chunk in re.split(f"({re.escape(_TOKEN)}\\d+@@)", raw):
        if chunk in budget.blobs:
            start, end = budget.blobs[chunk]
            out.append(binascii.a2b_base64(memoryview(budget.source)[start:end]))
        elif chunk.strip():
            with contextlib.suppress(binascii.Error):  # a broken tail: keep what decoded
                out.append(binascii.a2b_base64(chunk.encode("ascii", "ignore")))
    return b"".join(out)


def _headers(msg: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        items = msg.raw_items()
    except Exception:  # noqa: BLE001 - a broken header section still leaves a body
        return out
    for name, value in items:
        key = str(name).strip().lower()
        if key not in _WANTED or key in out:
            continue
        if not isinstance(value, str):
            value = str(value)
        value = _FOLD.sub(" ", value[:MAX_HEADER_VALUE]).strip()
        out[key] = value
    return out


def _part_bytes(part: Message, budget: _Budget | None = None) -> bytes:
    if budget is not None and budget.blobs:
        raw = part.get_payload()
        if isinstance(raw, str) and _TOKEN in raw:
            lifted = _lifted_bytes(part, raw, budget)
            if lifted is not None:
                return lifted
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - bad base64/QP/uuencode: keep what the stdlib can
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("ascii", "surrogateescape")
        return b""
    return payload


def _charset(part: Message) -> str | None:
    try:
        cs = part.get_content_charset()
    except Exception:  # noqa: BLE001 - RFC 2231 charset parameters can be malformed
        return None
    return cs if isinstance(cs, str) else None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - malformed RFC 2231 continuations
        name = None
    if not name:
        try:
            name = part.get_param("name")
        except Exception:  # noqa: BLE001
            name = None
        if isinstance(name, tuple):
            try:
                name = email.utils.collapse_rfc2231_value(name)
            except Exception:  # noqa: BLE001
                name = None
    if not name or not isinstance(name, str):
        return None
    return decode_header_value(name)


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def read_message(msg: Message, diagnostics: list[str], depth: int = 0, budget=None) -> RawMail:
    """Walk one parsed message into a ``RawMail`` (see the module docstring)."""
    budget = budget or _Budget()
    raw = RawMail(headers=_headers(msg))
    texts: list[str] = []
    htmls: list[str] = []
    _walk(msg, raw, texts, htmls, diagnostics, depth, 0, budget)
    raw.text = "\n\n".join(t for t in texts if t.strip())
    raw.html = htmls[0] if htmls else None
    defects = getattr(msg, "defects", None)
    if defects and depth == 0:
        names = sorted({type(d).__name__ for d in defects})
        diagnostics.append("MIME defects: " + ", ".join(names))
    return raw


def _add(raw: RawMail, att: AttachmentInfo, diagnostics: list[str], budget: _Budget) -> None:
    if budget.attachments >= MAX_ATTACHMENTS:
        if not budget.warned:
            diagnostics.append(f"more than {MAX_ATTACHMENTS} attachments; the rest skipped")
            budget.warned = True
        return
    budget.attachments += 1
    raw.attachments.append(att)


def _walk(part, raw, texts, htmls, diagnostics, depth, mp_depth, budget) -> None:
    try:
        ctype = part.get_content_type().lower()
    except Exception:  # noqa: BLE001
        ctype = "text/plain"
    if ctype in ("message/rfc822", "message/global") or (
        ctype.startswith("message/") and part.is_multipart()
    ):
        _nested(part, raw, diagnostics, depth, budget)
        return
    if part.is_multipart():
        if mp_depth >= MAX_MULTIPART_DEPTH:
            diagnostics.append(f"multipart nesting deeper than {MAX_MULTIPART_DEPTH}; rest skipped")
            return
        payload = part.get_payload()
        if not isinstance(payload, list):
            return
        for sub in payload:
            if budget.attachments >= MAX_ATTACHMENTS and budget.warned:
                return
            if isinstance(sub, Message):
                _walk(sub, raw, texts, htmls, diagnostics, depth, mp_depth + 1, budget)
        return
    disp = _disposition(part)
    name = _filename(part)
    data = _part_bytes(part, budget)
    is_tnef = ctype == "application/ms-tnef" or (name or "").lower() == "winmail.dat"
    if is_tnef:
        atts, body, html = unpack_tnef(data, diagnostics)
        for a in atts:
            _add(raw, a, diagnostics, budget)
        if body:
            texts.append(body)
        if html:
            htmls.append(html)
        if not atts and not body and not html:
            _add(raw, make_attachment(name or "winmail.dat", ctype, data), diagnostics, budget)
        return
    if (
        ctype in ("text/plain", "text/html")
        and disp != "attachment"
        and not (name and disp == "inline" and (texts or htmls))
    ):
        text = decode_bytes(data, _charset(part))
        if "\x00" in text:
            text = text.replace("\x00", "")
        (texts if ctype == "text/plain" else htmls).append(text)
        return
    if not data and not name:
        return
    _add(raw, make_attachment(name, ctype, data), diagnostics, budget)


def _nested(part, raw, diagnostics, depth, budget) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(payload, str) and payload.strip():
        # an enclosed message the parser left as text (e.g. base64-encoded message/rfc822)
        try:
            inner = email.message_from_bytes(
                _part_bytes(part, budget), policy=email.policy.compat32
            )
        except Exception:  # noqa: BLE001
            inner = None
    if not isinstance(inner, Message):
        return
    if depth + 1 > MAX_NESTING:
        diagnostics.append(f"attached messages nested deeper than {MAX_NESTING}; rest skipped")
        return
    nested = read_message(inner, diagnostics, depth + 1, budget)
    raw.nested.append(nested)
    try:
        blob = budget.restore(inner.as_bytes(policy=email.policy.compat32))
    except Exception:  # noqa: BLE001 - the nested message is still parsed above
        blob = b""
    if blob:
        subj = decode_header_value(nested.headers.get("subject", "")) or "message"
        _add(
            raw,
            make_attachment(_filename(part) or subj + ".eml", "message/rfc822", blob),
            diagnostics,
            budget,
        )


def parse_mime(data: bytes, diagnostics: list[str]) -> RawMail:
    """Parse RFC 5322 bytes (an optional mbox "From " line first is allowed)."""
    budget = _Budget()
    data = _lift_base64(data, budget)
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    return read_message(msg, diagnostics, 0, budget)


def decode_text_payload(data: bytes, charset: str | None) -> str:
    """Shared with msg.py: decode a body the way MIME bodies are decoded."""
    return decode_bytes(data, charset)
