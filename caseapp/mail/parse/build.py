"""Assemble ``ParsedChain``s: detect the input format, turn raw headers and segments into
``ParsedMessage``s, decide each message's kind, and attach signatures and follow-ups.

Kind rules: a message is a 'forward' if its subject starts with VB/FW/Fwd/WG/VS/TR or it
contains a forwarded block (an explicit forward marker, or an attached message); a 'reply'
if its subject starts with SV/RE/AW/Antw; otherwise, if it contains a quoted message (an
attribution line or '>' quote) it is a 'reply', and if it contains a bare header block it
is a 'forward' when it has no text of its own and a 'reply' when it does. The innermost
message is 'original' unless its own subject says otherwise.
"""

from __future__ import annotations

import re
from datetime import date

from .addresses import parse_address_list
from .automatic import automatic_reason
from .chain import Segment, unwrap
from .charsets import decode_bytes, decode_header_value
from .dates import parse_date
from .followups import find_followups, sentence_around
from .headers import LABELS, block_at, is_separator
from .html import flatten, html_to_text, sanitize_html
from .mime import RawMail, parse_mime
from .model import (
    Address,
    DeliveryReport,
    FollowUpProposal,
    MailParseError,
    ParsedChain,
    ParsedMessage,
)
from .reports import (
    HEADER_TYPES,
    STATUS_TYPES,
    message_id_of_headers,
    parse_delivery_status,
    referenced_id,
    report_from_text,
)
from .signature import find_signature
from .subjects import clean_subject, normalize_subject, subject_kind
from .times import local_date, read_times

_RFC_FIELD = re.compile(rb"^[!-9;-~]{1,76}:")
_KNOWN = {
    b"from", b"to", b"subject", b"date", b"message-id", b"received", b"return-path",
    b"mime-version", b"content-type", b"delivered-to", b"reply-to", b"cc", b"sender",
    b"x-mailer", b"dkim-signature", b"sent", b"content-transfer-encoding", b"references",
    b"in-reply-to", b"x-original-to", b"envelope-to", b"thread-topic", b"bcc",
}  # fmt: skip
_ENGLISH = {"from", "to", "cc", "bcc", "subject", "date", "sent", "reply-to"}
_LOCALISED = {k for k in LABELS if k not in _ENGLISH and k.isascii() and " " not in k}
_MBOX_SPLIT = re.compile(rb"\n\r?\n(?=From [^\s]{1,300}[ \t][^\n]{0,300}\n)")
MAX_MBOX_MESSAGES = 10_000
_PLAIN_LOCAL = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]{1,64}(?:\.[\w!#$%&'*+/=?^`{|}~-]{1,64}){0,20}")
_HTML_START = re.compile(r"<(?:!doctype|html|head|body|div|p|br|table|span)\b", re.IGNORECASE)


def looks_like_rfc822(data: bytes) -> bool:
    """True if ``data`` opens with an RFC 5322 header section (an mbox "From " line may
    come first) holding at least one field a mail has."""
    lines = data[:65536].split(b"\n", 60)[:60]
    for line in lines[:40]:
        if not line.strip(b"\r"):
            break
        if line[:1] not in (b" ", b"\t") and re.match(rb"^[^:\s]*[\x80-\xff][^:\s]*\s*:", line):
            return False  # a non-ASCII field name ("Ämne:"): pasted text, not RFC 5322
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]
    if not lines or not _RFC_FIELD.match(lines[0]):
        return False
    known = fields = 0
    first_known = False
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue
        m = _RFC_FIELD.match(line)
        if not m:
            break
        name = line[: m.end() - 1].strip().lower()
        if name.decode("ascii", "replace") in _LOCALISED:
            return False  # a pasted "Till:"/"Von:" block, not a real header section
        fields += 1
        if name in _KNOWN or name.startswith(b"x-") or name.startswith(b"arc-"):
            known += 1
            first_known = first_known or fields == 1
    # Pasted Danish/German header blocks ("Fra:", "Von:") are ASCII fields too: require the
    # first field, or most fields, to be ones a real header section has.
    return first_known or (known >= 2 and known * 2 >= fields)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample[:1024] and sample.count(b"\x00") > 8:
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return ctrl > max(4, len(sample) // 50)


def _addresses(raw: str | None, header: bool = False) -> list[Address]:
    """The addresses of a header (``header``) or of a pasted block's field. RFC 2047 allows
    no encoded word in an address, but some mailers encode the local part: it is decoded
    only when what it decodes to is a plain local part, so that decoding never makes up
    another address ('=?utf-8?Q?ceo=40ange.se?=@elsewhere' stays as it is); the domain is
    never decoded. A mailbox encoded whole, name and address in one encoded word, is read
    from its decoded text."""
    if not raw:
        return []
    raw = decode_header_value(raw) if max(raw, default=" ") >= "\udc80" else raw
    out = []
    for a in parse_address_list(raw, header):
        if "=?" in a.name:
            name = " ".join(decode_header_value(a.name).split())
            inner = parse_address_list(name, header) if not a.email and "@" in name else []
            if len(inner) == 1 and inner[0].email:
                out.append(inner[0])
                continue
            a = Address(name, a.email)
        if "=?" in a.email:
            local, _, domain = a.email.rpartition("@")
            decoded = decode_header_value(local)
            if _PLAIN_LOCAL.fullmatch(decoded):
                a = Address(a.name, f"{decoded}@{domain}".lower())
        out.append(a)
    return out


def _set_date(msg: ParsedMessage, text: str | None, diagnostics: list[str], idx: int) -> None:
    if not text:
        return
    wd = parse_date(text)
    if wd is None:
        diagnostics.append(f"message {idx}: date not recognised: {text[:80]!r}")
        return
    msg.sent, msg.sent_as_written, msg.sent_raw = wd.value, wd.as_written, wd.raw


def _from_segment(
    seg: Segment, outer: ParsedMessage, diagnostics: list[str], idx: int
) -> ParsedMessage:
    msg = ParsedMessage(body=seg.body)
    f = seg.fields
    if f:
        senders = _addresses(f.get("from"))
        msg.sender = senders[0] if senders else None
        msg.to = _addresses(f.get("to"))
        msg.cc = _addresses(f.get("cc"))
        msg.bcc = _addresses(f.get("bcc"))
        _set_date(msg, f.get("sent") or f.get("date"), diagnostics, idx)
        msg.subject = clean_subject(f.get("subject", ""))
    elif seg.attribution is not None:
        a = seg.attribution
        if a.name or a.email:
            msg.sender = Address(a.name, a.email)
        _set_date(msg, a.date_text, diagnostics, idx)
        msg.subject = outer.subject_normalized
    else:
        msg.subject = outer.subject_normalized
    msg.subject_normalized = normalize_subject(msg.subject)
    return msg


def _kind(msg: ParsedMessage, next_intro: str | None, has_attached: bool) -> str:
    k = subject_kind(msg.subject)
    if k:
        return k
    if next_intro == "forward" or has_attached:
        return "forward"
    if next_intro in ("attribution", "quote"):
        return "reply"
    if next_intro == "header":
        return "forward" if not msg.body.strip() else "reply"
    return "original"


def _chain_from_segments(
    top: ParsedMessage, segments: list[Segment], diagnostics, base: int, has_attached: bool
) -> list[ParsedMessage]:
    top.body = segments[0].body
    msgs = [top]
    for seg in segments[1:]:
        msgs.append(_from_segment(seg, msgs[-1], diagnostics, base + len(msgs)))
    for i, m in enumerate(msgs):
        nxt = segments[i + 1].intro if i + 1 < len(segments) else None
        m.kind = _kind(m, nxt, has_attached and i == 0)
    return msgs


def _messages_from_raw(
    raw: RawMail, diagnostics: list[str], base: int = 0, top_level: bool = False
) -> tuple[list[ParsedMessage], DeliveryReport | None]:
    """The messages of one MIME message, outermost first, and (for the outermost mail,
    ``top_level``) its delivery report. A delivery report is one message: its text is not
    unwrapped and the message it returns is no message of the chain. That message is a
    copy of mail that was sent (usually by the registry itself, already on record): as a
    chain message it would be proposed for registration again, under its own sender. It is
    kept byte for byte as the report's .eml attachment, and the report names it by its
    Message-ID."""
    h = raw.headers
    top = ParsedMessage()
    senders = _addresses(h.get("from") or h.get("sender"), header=True)
    top.reply_to = _addresses(h.get("reply-to"), header=True)
    if not any(a.email for a in senders) and top.reply_to:
        # no usable From: the mail names where answers go, and that is its sender's address
        diagnostics.append(f"message {base}: no sender address; Reply-To used instead")
        senders = top.reply_to
    top.sender = senders[0] if senders else None
    top.to = _addresses(h.get("to"), header=True)
    top.cc = _addresses(h.get("cc"), header=True)
    top.bcc = _addresses(h.get("bcc"), header=True)
    _set_date(top, h.get("date") or h.get("sent"), diagnostics, base)
    top.subject = clean_subject(decode_header_value(h.get("subject", "")))
    top.subject_normalized = normalize_subject(top.subject)
    top.message_id = h.get("message-id", "").strip() or None
    top.in_reply_to = h.get("in-reply-to", "").strip() or None
    top.references = re.findall(r"<[^<>\s]{1,998}>", h.get("references", ""))[:500]
    text = raw.text
    if raw.html:
        tokens = flatten(raw.html)  # read once for the text and the display
        if not text.strip():
            text = html_to_text(tokens)
        top.html = sanitize_html(tokens)
    top.attachments = raw.attachments
    text = text.replace("\r\n", "\n")
    report = _report_of(raw, top, text) if top_level else None
    if report is not None:
        top.body = text.strip("\n")
        top.kind = subject_kind(top.subject) or "original"
        return [top], report
    segments = unwrap(text, diagnostics)
    msgs = _chain_from_segments(top, segments, diagnostics, base, bool(raw.nested))
    for nested in raw.nested:
        msgs.extend(_messages_from_raw(nested, diagnostics, base + len(msgs))[0])
    return msgs, None


def _known_addresses(m: ParsedMessage) -> set[str]:
    return {a.email for a in [m.sender, *m.to, *m.cc, *m.reply_to] if a is not None and a.email}


def _report_of(raw: RawMail, top: ParsedMessage, text: str) -> DeliveryReport | None:
    """The mail's delivery report: its delivery-status part, else its own words."""
    for media_type, data in raw.reports:
        if media_type in STATUS_TYPES:
            report = parse_delivery_status(data)
            if report is not None:
                report.original_message_id = _returned_id(raw) or referenced_id(raw.headers)
                return report
    return report_from_text(
        text,
        subject=top.subject,
        sender_email=top.sender.email if top.sender else "",
        sender_name=top.sender.name if top.sender else "",
        known=_known_addresses(top),
        headers=raw.headers,
    )


def _returned_id(raw: RawMail) -> str | None:
    for nested in raw.nested:
        m = re.search(r"<[^<>\s]{1,900}>", nested.headers.get("message-id", ""))
        if m:
            return m.group(0)
    for media_type, data in raw.reports:
        if media_type in HEADER_TYPES:
            found = message_id_of_headers(data)
            if found:
                return found
    return None


def _finish(msgs: list[ParsedMessage], diagnostics: list[str], fmt: str) -> ParsedChain:
    chain = ParsedChain(messages=msgs, diagnostics=diagnostics, source_format=fmt)
    read_times(msgs)
    for i, m in enumerate(msgs):
        try:
            m.signature = find_signature(m.body, m.sender)
        except RecursionError:
            m.signature = None
        sent, counted_from = _followup_base(msgs, i)
        found = find_followups(m.body, sent)
        for due, phrase in found:
            chain.followups.append(
                FollowUpProposal(due, phrase, i, sentence_around(m.body, phrase))
            )
        if found and counted_from:
            diagnostics.append(
                f"message {i} has no date: its follow-ups are counted from {counted_from}"
            )
    return chain


def _followup_base(msgs: list[ParsedMessage], i: int) -> tuple[date, str | None]:
    """The date message ``i``'s follow-up phrases count from: its own, else that of the
    nearest message quoting it (written after it, so the closest estimate the chain holds),
    else today. The second value says which, when it is not the message's own date."""
    if msgs[i].sent:
        return local_date(msgs[i].sent), None
    for j in range(i - 1, -1, -1):
        if msgs[j].sent:
            day = local_date(msgs[j].sent)
            return day, f"{day.isoformat()}, the date of message {j} that quotes it"
    today = date.today()
    return today, f"today, {today.isoformat()}"


def _chain_of_raw(raw: RawMail, diagnostics: list[str], fmt: str) -> ParsedChain:
    msgs, report = _messages_from_raw(raw, diagnostics, top_level=True)
    chain = _finish(msgs, diagnostics, fmt)
    chain.delivery_report = report
    chain.automatic = automatic_reason(raw.headers, msgs[0].subject, report)
    return chain


def chain_from_mime(data: bytes, fmt: str = "eml") -> ParsedChain:
    diagnostics: list[str] = []
    raw = parse_mime(data, diagnostics)
    if not raw.headers and not raw.text.strip() and not raw.html:
        raise MailParseError("no mail headers or body found")
    return _chain_of_raw(raw, diagnostics, fmt)


def chain_from_msg(data: bytes) -> ParsedChain:
    from .msg import read_msg

    diagnostics: list[str] = []
    raw = read_msg(data, diagnostics)
    return _chain_of_raw(raw, diagnostics, "msg")


def _source_under_marker(data: bytes) -> bytes | None:
    """The RFC 5322 source under a first line such as "---- Original email message ----"
    (what some mail programs write above a message they show as source), else None. A
    forwarded message pasted under its marker shows only the fields a header block has
    (From, Date, To, Subject …): source has others too (Received, Message-ID …)."""
    first, _, rest = data.partition(b"\n")
    line = first.rstrip(b"\r").decode("utf-8", "replace")
    if is_separator(line) not in ("original", "forward"):
        return None
    rest = rest.lstrip(b"\r\n")
    if not looks_like_rfc822(rest):
        return None
    for field_line in rest[:65536].split(b"\n", 60)[:60]:
        if not field_line.strip(b"\r"):
            break
        m = _RFC_FIELD.match(field_line)
        if m and field_line[: m.end() - 1].strip().lower().decode("ascii") not in _ENGLISH:
            return rest
    return None


def _mime_under_marker(data: bytes) -> ParsedChain:
    chain = chain_from_mime(data, "eml")
    chain.diagnostics.append("a separator line above the mail's header section was skipped")
    return chain


def chain_from_text(text: str) -> ParsedChain:
    """Pasted text: an optional labelled header block at the top, then the body."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise MailParseError("empty input: not mail")
    head = text.lstrip().encode("utf-8", "surrogatepass")[:65536]
    if looks_like_rfc822(head):
        return chain_from_mime(text.lstrip().encode("utf-8", "surrogateescape"), "eml")
    source = _source_under_marker(text.lstrip().encode("utf-8", "surrogateescape"))
    if source is not None:
        return _mime_under_marker(source)
    diagnostics: list[str] = []
    html = None
    if text.lstrip().startswith("<") and _HTML_START.search(text[:5000]):
        html = flatten(text)  # a saved or pasted HTML body (e.g. a browser "save as")
        text = html_to_text(html)
    lines = text.split("\n")
    k = next((i for i, x in enumerate(lines) if x.strip()), 0)
    blk = block_at(lines, k)
    top_seg = Segment("")
    body_lines = lines
    if blk:
        top_seg = Segment("", blk.fields, None, "")
        body_lines = lines[blk.end :]
    body = "\n".join(body_lines)
    top = ParsedMessage()
    if blk:
        top = _from_segment(top_seg, ParsedMessage(), diagnostics, 0)
    report = None
    if blk:
        report = report_from_text(
            body,
            subject=top.subject,
            sender_email=top.sender.email if top.sender else "",
            sender_name=top.sender.name if top.sender else "",
            known=_known_addresses(top),
        )
    # a pasted delivery report is one message, as a mail's is (see _messages_from_raw)
    segments = [Segment(body.strip("\n"))] if report else unwrap(body, diagnostics)
    if not blk and len(segments) < 2:
        raise MailParseError("no mail header structure found: not mail")
    if html is not None:
        top.html = sanitize_html(html)
    msgs = _chain_from_segments(top, segments, diagnostics, 0, False)
    chain = _finish(msgs, diagnostics, "text")
    chain.delivery_report = report
    chain.automatic = automatic_reason({}, top.subject, report)
    return chain


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file (split at "From " lines after a blank line)."""
    parts = _MBOX_SPLIT.split(data, maxsplit=MAX_MBOX_MESSAGES)
    return [p for p in parts if p.strip()]


def chain_from_bytes(data: bytes, filename: str | None) -> ParsedChain:
    name = (filename or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") or name.endswith(".msg"):
        return chain_from_msg(data)
    stripped = data.lstrip(b"\r\n\t \xef\xbb\xbf")
    if stripped.startswith(b"From ") and looks_like_rfc822(stripped):
        parts = split_mbox(stripped)
        if len(parts) > 1:
            chain = chain_from_mime(parts[0], "mbox")
            chain.diagnostics.append(
                f"mbox holds {len(parts)} messages; only the first was parsed (see parse_mbox)"
            )
            return chain
        return chain_from_mime(stripped, "eml")
    if looks_like_rfc822(stripped):
        return chain_from_mime(stripped, "eml")
    source = _source_under_marker(stripped)
    if source is not None:
        return _mime_under_marker(source)
    if _looks_binary(data):
        raise MailParseError("binary data: not mail")
    text = decode_bytes(data)
    return chain_from_text(text)
