"""Delivery reports (bounces): what failed, for whom, and which mail it was about.

Two kinds are read:

- RFC 3464 reports: a multipart/report whose message/delivery-status (or RFC 6533's
  message/global-delivery-status) part lists each recipient's Action, Status and
  Diagnostic-Code. The Message-ID of the mail it reports on comes from the returned
  message/rfc822 part or text/rfc822-headers part, else from the report's In-Reply-To or
  References.
- Reports in a mail server's own words (Gmail's older bounces, qmail, many appliances): only
  when at least two of these agree: a bounce subject ("Undeliverable:", "Olevererbart:",
  "Delivery Status Notification (Failure)" …), a sender that is a mail system
  (MAILER-DAEMON, postmaster, "Mail Delivery System"), and a failure sentence in the text;
  or when the server names the failed recipients in X-Failed-Recipients. The recipients
  are then the addresses the report's own text names (not its sender's or recipients',
  and not those of the returned message below it), and status, diagnostic and Message-ID
  are read from the text where it gives them.

Pure and bounded: at most ``MAX_REPORT`` characters of a report are read and at most
``MAX_RECIPIENTS`` recipients kept.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32

from .addresses import parse_address_list
from .model import DeliveryReport

MAX_REPORT = 64 * 1024
MAX_RECIPIENTS = 100
MAX_DIAGNOSTIC = 500
STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
HEADER_TYPES = ("text/rfc822-headers", "message/global-headers", "message/rfc822-headers")

_ORDER = {"failed": 0, "delayed": 1}  # the gravest first; every other action after these
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_SMTP_REPLY = re.compile(r"\b[45]\d\d[ -]")

# Subjects mail servers give their reports; they open the subject (a gateway's "[EXTERN]"
# tag may come first).
BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]\n]{1,40}\]\s*)?(?:"
    r"undeliverable|undelivered mail|undeliverable mail|delivery status notification|"
    r"delivery failure|delivery has failed|delivery notification: delivery has failed|"
    r"mail delivery failed|mail delivery failure|mail delivery system|returned mail|"
    r"failure notice|non[- ]?delivery|nondeliverable|message not delivered|"
    r"message delivery failure|delivery problem|delayed mail|warning: could not send|"
    r"olevererbart|ej levererat|kunde inte levereras|det gick inte att leverera|"
    r"ikke levert|kan ikke leveres|ikke leveret|kunne ikke leveres|ikke-leverbar|"
    r"unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|"
    r"non remis|non distribuable|onbestelbaar|niet bezorgd|"
    r"toimittamaton|ei voitu toimittaa|viestiä ei voitu toimittaa"
    r")\b",
    re.IGNORECASE,
)
_FAILURE_TEXT = re.compile(
    r"could not be delivered|couldn't be delivered|undeliverable|delivery has failed|"
    r"failed permanently|permanent error|permanent fatal error|delivery failed|"
    r"was not delivered|returned to sender|user unknown|no such user|mailbox (?:is )?full|"
    r"mailbox unavailable|recipient address rejected|address(?:es)? failed|"
    r"delivery (?:to the following|is delayed)|will (?:retry|continue trying)|"
    r"kunde inte levereras|gick inte att leverera|ikke levert|kunne ikke leveres|"
    r"nicht zugestellt|unzustellbar|zustellung nicht|non remis|niet bezorgd|"
    r"ei voitu toimittaa",
    re.IGNORECASE,
)
_DELAY_TEXT = re.compile(
    r"\bdelay|still being retried|will (?:retry|continue trying)|not yet been delivered|"
    r"zustellung nicht abgeschlossen|vorübergehend|verzögert|fördröj|försen",
    re.IGNORECASE,
)
_MAIL_SYSTEM = re.compile(
    r"^(?:mailer-daemon|mailerdaemon|mail-daemon|postmaster|mdaemon|mail\.delivery)@",
    re.IGNORECASE,
)
_MAIL_SYSTEM_NAME = re.compile(
    r"mail delivery (?:sub)?system|mailer-daemon|postmaster|microsoft outlook", re.IGNORECASE
)
# Where a report's own text ends and the returned message begins: a line of its own
# ("----- Original message -----", "Original message follows.", Exim's "------ This is a
# copy of the message, including all the headers. ------"). Quantifiers never overlap, so
# a long line costs one pass.
_RETURNED = re.compile(
    r"^[ \t>]*(?:[-=_]+[ \t]*)?(?:original message(?:[ \t]+follows)?|undelivered message|"
    r"returned message|this is a copy of (?:the|your) message[^\n]{0,80}|"
    r"message headers follow|original message headers|"
    r"below this line is a copy of the message|ursprungligt meddelande|"
    r"urspr[üu]ngliche nachricht|message d'origine)[ \t]*[.:]?[ \t]*(?:[-=_]+[ \t]*)?$",
    re.IGNORECASE | re.MULTILINE,
)


def _unfold_blocks(text: str) -> list[dict[str, str]]:
    """RFC 3464's groups of fields (separated by blank lines), names lower-cased."""
    blocks: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur, last = {}, None
            continue
        if line[:1] in (" ", "\t") and last is not None:
            cur[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            continue
        last = name.strip().lower()
        cur.setdefault(last, value.strip())
        if len(blocks) > MAX_RECIPIENTS + 1:
            break
    if cur:
        blocks.append(cur)
    return blocks


def _typed_value(value: str) -> str:
    """'rfc822; a@b' -> 'a@b', 'smtp; 550 …' -> '550 …' (RFC 3464's "type; value")."""
    _, sep, rest = value.partition(";")
    return (rest if sep else value).strip()


def _address(value: str) -> str:
    addr = _typed_value(value).strip().strip("<>").strip()
    return addr.lower()


def _diagnostic(text: str | None) -> str | None:
    if not text:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_DIAGNOSTIC] or None


def _status(text: str | None) -> str | None:
    m = _STATUS.search(text or "")
    return m.group(0) if m else None


def parse_delivery_status(data: bytes) -> DeliveryReport | None:
    """The report a delivery-status part gives, or None if it names no recipient, action
    or status at all. ``original_message_id`` is left for the caller to find."""
    text = data[:MAX_REPORT].decode("utf-8", "replace")
    rows = []
    for block in _unfold_blocks(text):
        if not ({"final-recipient", "original-recipient", "action", "status"} & block.keys()):
            continue  # the per-message group (Reporting-MTA, Arrival-Date …)
        status = _status(block.get("status"))
        action = block.get("action", "").split(None, 1)[0].lower() if block.get("action") else ""
        if not action:
            # a report without Action (broken, or very old): the status class says it
            action = {"5": "failed", "4": "delayed", "2": "delivered"}.get((status or "5")[0])
        recipient = _address(block.get("final-recipient") or block.get("original-recipient", ""))
        rows.append(
            (action, recipient, status, _diagnostic(_typed_value(block.get("diagnostic-code", ""))))
        )
        if len(rows) >= MAX_RECIPIENTS:
            break
    if not rows:
        return None
    action = min((r[0] for r in rows), key=lambda a: _ORDER.get(a, 2))
    chosen = [r for r in rows if r[0] == action]
    return DeliveryReport(
        action=action,
        status=next((r[2] for r in chosen if r[2]), None),
        recipients=list(dict.fromkeys(r[1] for r in chosen if r[1])),
        diagnostic=next((r[3] for r in chosen if r[3]), None),
    )


def message_id_of_headers(data: bytes) -> str | None:
    """The Message-ID in a returned header section (text/rfc822-headers), or None."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(data[:MAX_REPORT])
        value = str(headers.get("message-id", "") or "")
    except Exception:  # noqa: BLE001 - a broken returned header section names no id
        return None
    m = _MESSAGE_ID.search(value)
    return m.group(0) if m else None


def referenced_id(headers: dict[str, str]) -> str | None:
    """The Message-ID a report refers to by In-Reply-To, else the last of its References."""
    m = _MESSAGE_ID.search(headers.get("in-reply-to", ""))
    if m:
        return m.group(0)
    refs = _MESSAGE_ID.findall(headers.get("references", "")[:MAX_REPORT])
    return refs[-1] if refs else None


def is_mail_system(email: str, name: str = "") -> bool:
    """True for the addresses and names mail servers send their reports from."""
    return bool(_MAIL_SYSTEM.match(email or "")) or bool(_MAIL_SYSTEM_NAME.search(name or ""))


def own_part(text: str) -> tuple[str, str]:
    """A report's text split where the returned message begins: (own text, the rest)."""
    text = text[:MAX_REPORT]
    m = _RETURNED.search(text)
    return (text[: m.start()], text[m.start() :]) if m else (text, "")


def report_from_text(
    text: str,
    *,
    subject: str,
    sender_email: str,
    sender_name: str,
    known: set[str],
    headers: dict[str, str] | None = None,
) -> DeliveryReport | None:
    """The report a mail server wrote in words, or None if this is not one (see the module
    docstring for when it is). ``known`` are the addresses the mail itself is from and to,
    which are never the failed recipients."""
    headers = headers or {}
    failed_header = [
        a.email for a in parse_address_list(headers.get("x-failed-recipients", "")) if a.email
    ]
    signals = bool(BOUNCE_SUBJECT.search((subject or "")[:1000])) + is_mail_system(
        sender_email, sender_name
    )
    if not failed_header and not signals:
        return None  # the text alone is never enough, so ordinary mail is not searched
    own, returned = own_part(text)
    signals += bool(_FAILURE_TEXT.search(own))
    if not failed_header and signals < 2:
        return None
    recipients = failed_header or [
        a
        for a in dict.fromkeys(x.lower().rstrip(".") for x in _EMAIL.findall(own))
        if a not in known and not _MAIL_SYSTEM.match(a)
    ]
    status = _status(own)
    if not recipients and not status:
        return None
    delayed = (status or "").startswith("4") or bool(
        _DELAY_TEXT.search(subject or "") or _DELAY_TEXT.search(own)
    )
    diagnostic = next(
        (line for line in own.splitlines() if _SMTP_REPLY.search(line) or _STATUS.search(line)),
        None,
    )
    m = re.search(r"(?im)^message-id:[ \t]*(<[^<>\s]{1,900}>)", returned)
    return DeliveryReport(
        action="delayed" if delayed else "failed",
        status=status,
        recipients=recipients[:MAX_RECIPIENTS],
        original_message_id=m.group(1) if m else referenced_id(headers),
        diagnostic=_diagnostic(diagnostic),
    )
