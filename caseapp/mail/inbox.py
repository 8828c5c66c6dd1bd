"""Intake: every way mail comes in keeps it in the inbox ("Att registrera") first.

Upload, paste, the SMTP/LMTP gateway, the IMAP poller and the CLI all store the raw bytes
(and the attachments) in the file store and an ``InboxItem`` row, so nothing is lost if
nobody registers it at once. A registrar reviews an item and confirms it (see
``importer.register_inbox_item``), or discards it with a reason; either way the item
leaves the pending list exactly once (``claim``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from caseapp import navcache
from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.documents import filestore
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.mail.digests import chain_digests
from caseapp.mail.locks import lock_for_writing, raw_key
from caseapp.mail.models import InboxItem, InboxSource, InboxStatus
from caseapp.mail.parse import MailParseError, ParsedChain, parse_bytes
from caseapp.mail.parse.build import split_mbox as _split_mbox
from caseapp.mail.reports import reported_notice
from caseapp.rows import ORM, RowWriter
from caseapp.text import clean_filename as safe_filename

# Where a registrar can see and fix a refused upload, the source is a person at the form:
# what is not mail is refused there. Mail arriving by itself is kept whatever it holds.
INTERACTIVE = {InboxSource.UPLOAD, InboxSource.PASTE}


class MailTooLarge(ServiceError):
    """The mail is over the configured ``MAIL_MAX_SIZE``; nothing was stored."""


class NotMail(ServiceError):
    """What was uploaded or pasted is not mail; nothing was stored."""


def media_type_for(filename: str | None, data: bytes) -> str:
    name = (filename or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".msg"):
        return "application/vnd.ms-outlook"
    if name.endswith(".mbox") or data.lstrip().startswith(b"From "):
        return "application/mbox"
    if name.endswith(".eml") or _looks_rfc822(data):
        return "message/rfc822"
    return "text/plain; charset=utf-8"


def _looks_rfc822(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return bool(
        re.match(rb"(?i)(received|return-path|from|message-id|date|mime-version|to):", head)
    )


def split_mbox(data: bytes) -> list[bytes]:
    """One byte string per message of an mbox file; any other input is returned as is."""
    stripped = data.lstrip(b"\r\n\t \xef\xbb\xbf")
    if not stripped.startswith(b"From "):
        return [data]
    # Drop the "From " separator line: what is stored is the message itself.
    return [
        p.split(b"\n", 1)[1] if p.startswith(b"From ") and b"\n" in p else p
        for p in _split_mbox(stripped)
    ]


def max_size() -> int:
    return int(current_app.config.get("MAIL_MAX_SIZE") or 50 * 1024 * 1024)


def max_size_text() -> str:
    """The size limit as people read it: "50 MB", or "200 kB" under a megabyte."""
    limit = max_size()
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} kB"


@dataclass
class PreparedMail:
    """A mail parsed, with its bytes and attachments in the file store: what intake does
    before it touches the database, which a bulk import does ahead in worker processes.

    ``chain`` is None when the bytes are not readable as mail (``parse_error`` says why);
    ``sha256`` is the stored bytes' digest (None: not stored, see ``prepare_message``);
    ``digests`` are ``digests.chain_digests(chain)``.
    """

    data: bytes = field(repr=False)
    chain: ParsedChain | None
    parse_error: str | None = None
    sha256: str | None = None
    digests: list[str | None] = field(default_factory=list)


def prepare_message(
    data: bytes, *, filename: str | None = None, keep_unreadable: bool = True
) -> PreparedMail:
    """Parse ``data`` and store it and its attachments in the file store (each file
    written and fsync'ed before this returns), with no database access.

    Mail over ``MAIL_MAX_SIZE`` or empty is neither parsed nor stored. Mail that cannot be
    parsed is stored only with ``keep_unreadable`` (mail that arrived by itself is kept,
    whatever it holds; an upload that is not mail is refused).
    """
    limit = max_size()
    if len(data) > limit or not data.strip():
        return PreparedMail(data, None)
    try:
        chain = parse_bytes(data, filename=safe_filename(filename), max_size=limit)
    except MailParseError as exc:
        sha256 = filestore.put(data) if keep_unreadable else None
        return PreparedMail(data, None, str(exc)[:2000], sha256)
    sha256 = filestore.put(data)
    for m in chain.messages:
        for a in m.attachments:
            filestore.put(a.content)
    return PreparedMail(data, chain, None, sha256, chain_digests(chain))


def _sender_text(chain: ParsedChain) -> str | None:
    s = chain.messages[0].sender if chain.messages else None
    if s is None:
        return None
    who = f"{s.name} <{s.email}>" if s.name and s.email else (s.email or s.name)
    return who[:500] or None


AUTOMATIC_REPLY = "automatic-reply"
DELIVERY_REPORT = "delivery-report"


def automatic_reason(chain: ParsedChain) -> str | None:
    """Why the mail's outermost message was written by a program (``DELIVERY_REPORT``,
    ``AUTOMATIC_REPLY``), or None. The messages it quotes are written by whoever wrote
    them. A forward that a mail server's rule sent (marked ``Auto-Submitted``, as Exchange
    does) carries a person's mail and counts as written."""
    if chain.delivery_report is not None:
        return DELIVERY_REPORT
    if not chain.automatic or not chain.messages:
        return None
    if chain.automatic == "auto-submitted" and chain.messages[0].kind == "forward":
        return None
    return AUTOMATIC_REPLY


def _describe(item: InboxItem, prepared: PreparedMail) -> None:
    """What the inbox list shows of the item, from its parse."""
    chain = prepared.chain
    if chain is None:
        item.parse_error = prepared.parse_error or "unreadable"
        return
    item.message_count = len(chain.messages)
    item.digests = prepared.digests
    item.automatic = automatic_reason(chain)
    if chain.messages:
        top = chain.messages[0]
        item.subject = (top.subject or "")[:1000] or None
        item.sender = _sender_text(chain)
        item.message_id = top.message_id[:998] if top.message_id else None


def _refuse(data: bytes) -> None:
    limit = max_size()
    if len(data) > limit:
        raise MailTooLarge(
            N_("The mail is larger than %(limit)s; nothing was stored."), limit=max_size_text()
        )
    if not data.strip():
        raise ServiceError(N_("The mail is empty."))


def store_message(
    data: bytes,
    *,
    source: InboxSource,
    actor: User | None = None,
    filename: str | None = None,
    media_type: str | None = None,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
    source_key: str | None = None,
    received_at: datetime | None = None,
    prepared: PreparedMail | None = None,
    writer: RowWriter = ORM,
) -> InboxItem:
    """Keep a received mail as a pending inbox item, written but not committed.

    Guarantees: the bytes and the attachments are in the content-addressed file store
    (fsync'ed) before the row refers to them; mail over ``MAIL_MAX_SIZE`` raises
    ``MailTooLarge`` and empty mail ``ServiceError``, storing nothing. Mail that cannot be
    parsed is kept with the parse error on the item (a registrar sees it; nothing is lost),
    except from a person at the upload form (``INTERACTIVE``): that raises ``NotMail`` and
    stores nothing. The very same bytes arriving while an item with them waits give that
    item, and nothing new (``waiting_copy``), also when they arrive at two processes at once:
    the look-up that decides is made under the bytes' lock (``locks.lock_for_writing``),
    held to the caller's commit of the new item. The arrival is audited. A delivery report
    about one of our notices is recorded on the notice and the item settled, not pending
    (``caseapp.mail.reports``). ``prepared``
    (``prepare_message`` of the same bytes) saves parsing and storing them again;
    ``writer``: see ``caseapp.rows``.
    """
    source = InboxSource(source)
    _refuse(data)
    waiting = waiting_copy(data)
    if waiting is not None:
        return waiting  # the same bytes again (a retried delivery, a second upload)
    if prepared is not None and prepared.data is not data and prepared.data != data:
        raise ValueError("prepared for other bytes")
    keep = source not in INTERACTIVE
    if prepared is None or (prepared.sha256 is None and keep):
        prepared = prepare_message(data, filename=filename, keep_unreadable=keep)
    if prepared.chain is None and not keep:
        raise NotMail(N_("This is not an e-mail that caseapp can read; nothing was stored."))
    # Looked up again under the lock, after the parse and the file store (no lock is held
    # across those): a copy committed meanwhile by another process is found here.
    sha = prepared.sha256 or sha256_of(data)
    lock_for_writing([raw_key(sha)])
    waiting = db.session.scalar(_WAITING_COPY, {"sha": sha})
    if waiting is not None:
        return waiting
    filename = safe_filename(filename)
    item = InboxItem(
        source=source,
        status=InboxStatus.PENDING,
        received_at=received_at or utcnow(),
        raw_sha256=prepared.sha256,
        size=len(data),
        filename=filename,
        media_type=(media_type or media_type_for(filename, data))[:100],
        envelope_from=envelope_from[:998] if envelope_from else None,
        envelope_to=", ".join(envelope_to) if envelope_to else None,
        source_key=source_key,
        created_by=actor,
    )
    _describe(item, prepared)
    writer.insert(item)
    _pending_changed()
    writer.audit(
        "receive",
        item,
        actor=actor,
        summary=f"{item.source.value}: {item.subject or item.filename or ''}"[:500],
        after={"source": item.source.value, "size": item.size, "sha256": item.raw_sha256},
    )
    _settle_if_reported(item, prepared.chain, writer)
    return item


def _settle_if_reported(item: InboxItem, chain: ParsedChain | None, writer: RowWriter) -> None:
    """A delivery report about a notice of ours is recorded on the notice, and the item is
    settled at once: it is nothing to register (see ``caseapp.mail.reports``)."""
    notice = reported_notice(chain)
    if notice is None:
        return
    writer.update(item, status=InboxStatus.DISCARDED, done_at=utcnow(), notification_id=notice.id)
    writer.audit(
        "settle_report",
        item,
        actor=None,
        summary=notice.recipient_email,
        after={"notification_id": notice.id},
    )


# Intake's statements, built once: a bulk import runs them for every mail, and building
# a statement costs more than SQLite takes to run it.
_WAITING_COPY = (
    sa.select(InboxItem)
    .where(InboxItem.raw_sha256 == sa.bindparam("sha"), InboxItem.status == InboxStatus.PENDING)
    .order_by(InboxItem.id)
    .limit(1)
)
_ITEMS = InboxItem.__table__
_CLAIM = (
    sa.update(_ITEMS)
    .where(_ITEMS.c.id == sa.bindparam("item_id"), _ITEMS.c.status == InboxStatus.PENDING.value)
    .values(
        status=InboxStatus.DONE.value,
        done_at=sa.bindparam("done_at", type_=_ITEMS.c.done_at.type),
        done_by_id=sa.bindparam("done_by_id"),
    )
)


def waiting_copy(data: bytes) -> InboxItem | None:
    """The pending item that holds these very bytes, if one waits already."""
    return db.session.scalar(_WAITING_COPY, {"sha": sha256_of(data)})


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def get_item(item_id: int) -> InboxItem | None:
    return db.session.get(InboxItem, item_id)


def pending_items(limit: int = 500, *, after: InboxItem | None = None) -> list[InboxItem]:
    """Up to ``limit`` pending items, oldest first (the one that has waited longest is
    handled first), after the item ``after`` in that order: a page of the list, by keyset."""
    stmt = sa.select(InboxItem).where(InboxItem.status == InboxStatus.PENDING)
    if after is not None:
        stmt = stmt.where(
            sa.tuple_(InboxItem.received_at, InboxItem.id)
            > sa.tuple_(sa.literal(after.received_at, InboxItem.received_at.type), after.id)
        )
    return list(db.session.scalars(stmt.order_by(InboxItem.received_at, InboxItem.id).limit(limit)))


def pending_count() -> int:
    """How many items wait: a count of the status index's pending entries (the handled
    ones, nearly all of the table, are not read)."""
    return db.session.scalar(
        sa.select(sa.func.count(InboxItem.id)).where(InboxItem.status == InboxStatus.PENDING)
    )


def _pending_changed() -> None:
    # The navigation's count of waiting mail (mail.views) is kept for a short time.
    navcache.stale_after_commit("inbox")


def raw_bytes(item: InboxItem) -> bytes:
    return filestore.get(item.raw_sha256)


def load_chain(item: InboxItem) -> ParsedChain:
    """The item's mail parsed again from the stored bytes (raises ``MailParseError``)."""
    return parse_bytes(raw_bytes(item), filename=item.filename, max_size=max(max_size(), item.size))


def _done_values(actor: User | None) -> dict:
    return {
        "status": InboxStatus.DONE,
        "done_at": utcnow(),
        "done_by_id": actor.id if actor else None,
    }


def claim(item: InboxItem, *, actor: User | None) -> None:
    """Move the item from pending to done, or raise ``ServiceError`` if somebody else did.

    One conditional UPDATE, so of two registrars confirming the same item at the same time
    exactly one proceeds; it is also the registration's first write, which on SQLite takes
    the write lock before any duplicate check reads.
    """
    db.session.flush()  # the item's own row, if it is new
    done = _done_values(actor)
    params = {"item_id": item.id, "done_at": done["done_at"], "done_by_id": done["done_by_id"]}
    if db.session.connection().execute(_CLAIM, params).rowcount != 1:
        db.session.refresh(item)
        raise ServiceError(N_("This mail has been handled already."))
    _pending_changed()
    for key, value in done.items():  # the row holds exactly these now
        set_committed_value(item, key, value)


def settle(
    item: InboxItem,
    *,
    case: Case | None,
    document_numbers: list[str],
    writer: RowWriter = ORM,
) -> None:
    """Write on the item what registering it gave: its case and document numbers."""
    writer.update(item, case_id=case.id if case else None, document_numbers=document_numbers)


def discard(item: InboxItem, *, actor: User | None, reason: str) -> InboxItem:
    """Take an item off the pending list without registering it, with a reason (audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Discarding needs a reason."), field="reason")
    result = db.session.execute(
        sa.update(InboxItem)
        .where(InboxItem.id == item.id, InboxItem.status == InboxStatus.PENDING)
        .values(
            status=InboxStatus.DISCARDED,
            done_at=utcnow(),
            done_by_id=actor.id if actor else None,
            discard_reason=reason[:2000],
        )
    )
    if result.rowcount != 1:
        raise ServiceError(N_("This mail has been handled already."))
    _pending_changed()
    record("discard", item, actor=actor, after={"reason": reason})
    return item


@dataclass(frozen=True)
class Waited:
    value: int
    unit: str  # "min", "h", "d"

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def waited(item: InboxItem, now: datetime | None = None) -> Waited:
    """How long the item has waited, coarsely: minutes, then hours, then days."""
    seconds = max(0, int(((now or utcnow()) - item.received_at).total_seconds()))
    if seconds < 3600:
        return Waited(seconds // 60, "min")
    if seconds < 2 * 86400:
        return Waited(seconds // 3600, "h")
    return Waited(seconds // 86400, "d")
