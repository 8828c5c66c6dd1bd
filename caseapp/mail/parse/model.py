"""The result types of mail parsing, and the one error it may raise.

Everything here is plain data: no Flask, no database. ``ParsedChain.to_json_dict`` gives the
shape the ``caseapp mail parse --json`` command prints, and it is a contract: keep it stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


class MailParseError(ValueError):
    """The one documented error: the input is not mail at all, or it is too large."""


@dataclass(frozen=True)
class Address:
    """A display name and an address; ``email`` is lower-cased and '' when unknown."""

    name: str
    email: str

    def to_json(self) -> dict:
        return {"name": self.name, "email": self.email}


@dataclass
class AttachmentInfo:
    """One attachment. ``filename`` is sanitised: a bare name, no control characters, never
    '..' or empty; ``sha256`` is the hex digest of ``content``."""

    filename: str
    media_type: str
    size: int
    sha256: str
    content: bytes = field(repr=False, default=b"")

    def to_json(self) -> dict:
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass
class Signature:
    """What a signature block said about its writer; '' where it said nothing."""

    name: str = ""
    title: str = ""
    organisation: str = ""
    phone: str = ""
    postal_address: str = ""
    email: str = ""


@dataclass
class ParsedMessage:
    """One message of a chain.

    ``sent`` is timezone-aware when the message stated an offset, or when ``time_note`` is
    "read-as-utc"; otherwise it is a naive wall-clock time meaning Europe/Stockholm.
    ``sent_as_written`` is the time as the message wrote it, in ISO 8601 at the precision the
    message used (minutes or seconds), with an offset only when one was stated - so it never
    changes when the time is read another way; ``sent_raw`` is the date text exactly as found.
    ``body`` is the message's own text, without the quoted or forwarded rest of the chain.
    ``reply_to`` is the Reply-To header's addresses (mail headers only; not in the JSON shape).

    ``time_note`` says how ``sent`` relates to the time of the message this one quotes or
    forwards (the next one in the chain), when they disagree; None when they do not:
    "read-as-utc" - the stated time had no zone and was machine-written (ISO, as in
    "Skickat: 2021-06-07 12:41:30"), and read as Swedish time it lay before the quoted
    message, so it was read as UTC (``sent`` is then aware, in UTC); "before-quoted" - the
    stated time lies before the quoted message's and no reading fixes it (human-written,
    or with a zone, or still before as UTC): ``sent`` is left as written. Messages are never
    reordered.
    """

    kind: str = "original"
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    sent: datetime | None = None
    sent_as_written: str | None = None
    subject: str = ""
    subject_normalized: str = ""
    body: str = ""
    html: str | None = None
    attachments: list[AttachmentInfo] = field(default_factory=list)
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    signature: Signature | None = None
    sent_raw: str | None = None
    reply_to: list[Address] = field(default_factory=list)
    time_note: str | None = None

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "from": self.sender.to_json() if self.sender else None,
            "to": [a.to_json() for a in self.to],
            "cc": [a.to_json() for a in self.cc],
            "bcc": [a.to_json() for a in self.bcc],
            "sent": self.sent_as_written,
            "subject": self.subject,
            "subject_normalized": self.subject_normalized,
            "body": self.body,
            "attachments": [a.to_json() for a in self.attachments],
        }
        if self.time_note is not None:
            out["time_note"] = self.time_note
        return out


@dataclass
class FollowUpProposal:
    """A promised follow-up found in message ``message_index``'s own body.

    ``phrase`` is the matched words ("i slutet av oktober 2021"); ``context`` the sentence
    around them, for a human to read when confirming.
    """

    due: date
    phrase: str
    message_index: int
    context: str = ""

    def to_json(self) -> dict:
        return {
            "due": self.due.isoformat(),
            "phrase": self.phrase,
            "message_index": self.message_index,
        }


@dataclass
class DeliveryReport:
    """What a delivery report (a bounce: RFC 3464 or a mail server's own wording) says.

    ``action`` is RFC 3464's word for what happened to the recipients reported on:
    "failed", "delayed", "delivered", "relayed" or "expanded"; when recipients fared
    differently, the gravest ("failed" before "delayed" before the rest) is reported, with
    the recipients it applies to, in the order given. ``status`` is the enhanced status code
    ("5.1.1") and ``diagnostic`` the server's explanation ("550 5.1.1 User unknown"), when
    given. ``original_message_id`` is the Message-ID of the mail the report is about: from
    the returned message or its headers, else the report's In-Reply-To or References.
    """

    action: str
    status: str | None = None
    recipients: list[str] = field(default_factory=list)
    original_message_id: str | None = None
    diagnostic: str | None = None

    def to_json(self) -> dict:
        return {
            "action": self.action,
            "status": self.status,
            "recipients": list(self.recipients),
            "original_message_id": self.original_message_id,
            "diagnostic": self.diagnostic,
        }


@dataclass
class ParsedChain:
    """A parsed mail: its messages outermost first, follow-ups, and what looked wrong.

    ``automatic`` says why the mail was sent by a program rather than written by a person
    (see ``automatic.automatic_reason`` for the reasons and what does not count), or None;
    ``delivery_report`` is set when the mail is a delivery report (see ``reports``). Both
    are facts for the importer to weigh, never a reason the parser leaves anything out.
    """

    messages: list[ParsedMessage] = field(default_factory=list)
    followups: list[FollowUpProposal] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    source_format: str = "text"
    automatic: str | None = None
    delivery_report: DeliveryReport | None = None

    def to_json_dict(self) -> dict:
        """The ``mail parse --json`` shape (a stable contract): "automatic" and
        "delivery_report" appear only when set."""
        out = {
            "messages": [m.to_json() for m in self.messages],
            "followups": [f.to_json() for f in self.followups],
            "diagnostics": list(self.diagnostics),
        }
        if self.automatic is not None:
            out["automatic"] = self.automatic
        if self.delivery_report is not None:
            out["delivery_report"] = self.delivery_report.to_json()
        return out
