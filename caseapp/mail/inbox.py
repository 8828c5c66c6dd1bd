"""The inbox ("Att registrera"): mail that has arrived but is not registered yet.

Every way mail comes in (upload, paste, the SMTP/LMTP gateway, the IMAP poller, the CLI)
first stores the raw bytes here, so nothing is lost if nobody registers it at once. A
registrar reviews an item and confirms it (see ``importer.register_inbox_item``), or
discards it with a reason; either way the item leaves the pending list exactly once.
"""

from __future__ import annotations

import enum
import re
import unicodedata
import weakref
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from caseapp.audit.services import record, record_now
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import Base, insert_now, utcnow
from caseapp.documents import filestore
from caseapp.documents.services import remember_stored
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db


def _enum(cls):
    return sa.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class InboxSource(enum.StrEnum):
    UPLOAD = "upload"
    PASTE = "paste"
    SMTP = "smtp"
    LMTP = "lmtp"
    IMAP = "imap"
    CLI = "cli"


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    DISCARDED = "discarded"


class InboxItem(Base):
    """One received mail (raw bytes in the file store) waiting for, or done with, review."""

    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[InboxStatus] = mapped_column(
        _enum(InboxStatus), default=InboxStatus.PENDING, index=True
    )
    source: Mapped[InboxSource] = mapped_column(_enum(InboxSource))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    raw_sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    envelope_from: Mapped[str | None] = mapped_column(sa.String(998))
    envelope_to: Mapped[str | None] = mapped_column(sa.Text)
    message_id: Mapped[str | None] = mapped_column(sa.String(998), index=True)
    # Where the item came from, unique: for IMAP "imap://user@host/folder;UIDVALIDITY=..;UID=..".
    source_key: Mapped[str | None] = mapped_column(sa.String(500), unique=True)
    sender: Mapped[str | None] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(1000))
    message_count: Mapped[int] = mapped_column(default=0)
    parse_error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # The numbers of the documents this item became (or already was), outermost first.
    document_numbers: Mapped[list[str] | None] = mapped_column(sa.JSON)
    discard_reason: Mapped[str | None] = mapped_column(sa.Text)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    case: Mapped[Case | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == InboxStatus.PENDING

    def __repr__(self) -> str:
        return f"<InboxItem {self.id} {self.status}>"


class MailTooLarge(ServiceError):
    """The mail is over the configured ``MAIL_MAX_SIZE``; nothing was stored."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(name: str | None) -> str | None:
    """A bare file name from whatever a client sent: no directories, no control characters,
    never '.' or '..'; None when nothing usable is left. Shown escaped, never used as a path
    (the bytes are stored under their digest)."""
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip().strip(".").strip()
    return name[:255] or None


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


def split_mbox(data: bytes, filename: str | None = None) -> list[bytes]:
    """One byte string per message of an mbox file; any other input is returned as is."""
    stripped = data.lstrip(b"\r\n\t \xef\xbb\xbf")
    if not stripped.startswith(b"From "):
        return [data]
    from caseapp.mail.parse.build import split_mbox as _split

    parts = _split(stripped)
    # Drop the "From " separator line: what is stored is the message itself.
    return [p.split(b"\n", 1)[1] if p.startswith(b"From ") and b"\n" in p else p for p in parts]


def max_size() -> int:
    return int(current_app.config.get("MAIL_MAX_SIZE") or 50 * 1024 * 1024)


@dataclass
class PreparedMail:
    """A mail read, parsed and with its files in the file store, ready for ``store_message``:
    the database-free part of receiving, which a bulk import does ahead in a worker process
    while the previous mail is registered. ``chain`` is None when it could not be parsed
    (``parse_error`` says why)."""

    data: bytes
    chain: object | None  # ParsedChain
    parse_error: str | None
    # Set when the files are stored (``prepare_message``): the SHA-256 of ``data`` and of
    # each message's attachments, so the main process does not hash them again.
    sha256: str | None = None
    attachment_sha256: list[list[str]] | None = None
    # ``importer.chain_digests(chain)``, computed here too (pure, and not free).
    digests: list[str] | None = None


def prepare_message(data: bytes, *, filename: str | None = None) -> PreparedMail:
    """Parse ``data`` and store it and its attachments in the file store (each file written
    and fsync'ed before this returns), with no database access; ``store_message(data,
    prepared=…)`` then only checks the stored files are there. Mail ``store_message`` would
    refuse (too large, empty) is neither parsed nor stored."""
    from caseapp.mail.parse import MailParseError, parse_bytes

    limit = max_size()
    if len(data) > limit or not data.strip():
        return PreparedMail(data, None, None)
    try:
        chain = parse_bytes(data, filename=safe_filename(filename), max_size=limit)
    except MailParseError as exc:
        return PreparedMail(data, None, str(exc)[:2000], sha256=filestore.put(data))
    from caseapp.mail.importer import chain_digests

    sha256 = filestore.put(data)
    attachments = [[filestore.put(a.content) for a in m.attachments] for m in chain.messages]
    return PreparedMail(
        data,
        chain,
        None,
        sha256=sha256,
        attachment_sha256=attachments,
        digests=chain_digests(chain),
    )


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
) -> InboxItem:
    """Keep a received mail as a pending inbox item, flushed but not committed.

    Guarantees: the bytes are stored unchanged in the content-addressed file store before
    the row refers to them; mail over ``MAIL_MAX_SIZE`` raises ``MailTooLarge`` and stores
    nothing; mail that cannot be parsed is still kept, with the parse error on the item (a
    registrar sees it; nothing is lost). The arrival is audited. ``prepared`` (from
    ``prepare_message`` of the same bytes) saves parsing them again.
    """
    from caseapp.mail.parse import MailParseError, parse_bytes

    limit = max_size()
    if len(data) > limit:
        raise MailTooLarge(f"the mail is {len(data)} bytes, over the limit of {limit} bytes")
    if not data.strip():
        raise ServiceError(N_("The mail is empty."))
    filename = safe_filename(filename)
    if prepared is not None and prepared.data is not data and prepared.data != data:
        raise ValueError("prepared for other bytes")
    if prepared is not None and prepared.sha256 and filestore.exists(prepared.sha256):
        raw_sha256 = prepared.sha256  # stored (and fsync'ed) by prepare_message
    else:
        raw_sha256 = filestore.put(data)
    item = InboxItem(
        source=InboxSource(source),
        status=InboxStatus.PENDING,
        received_at=received_at or utcnow(),
        raw_sha256=raw_sha256,
        size=len(data),
        filename=filename,
        media_type=(media_type or media_type_for(filename, data))[:100],
        envelope_from=envelope_from[:998] if envelope_from else None,
        envelope_to=", ".join(envelope_to) if envelope_to else None,
        source_key=source_key,
        created_by=actor,
    )
    chain = None
    try:
        if prepared is not None and prepared.parse_error is not None:
            raise MailParseError(prepared.parse_error)
        chain = (
            prepared.chain
            if prepared is not None and prepared.chain is not None
            else parse_bytes(data, filename=filename, max_size=limit)
        )
    except MailParseError as exc:
        item.parse_error = str(exc)[:2000]
    else:
        item.message_count = len(chain.messages)
        if chain.messages:
            top = chain.messages[0]
            item.subject = (top.subject or "")[:1000] or None
            if top.sender:
                s = top.sender
                who = f"{s.name} <{s.email}>" if s.name and s.email else (s.email or s.name)
                item.sender = who[:500] or None
            item.message_id = top.message_id[:998] if top.message_id else None
    # Kept on the instance (not stored) so that registering it at once parses it only once,
    # and the digests of the files stored so that it hashes none of them again.
    item.received = (data, chain)
    item.digests = prepared.digests if prepared is not None and chain is prepared.chain else None
    stored = [(data, raw_sha256)]
    if chain is not None and prepared is not None and prepared.attachment_sha256 is not None:
        for m, digests in zip(chain.messages, prepared.attachment_sha256, strict=True):
            stored.extend(zip((a.content for a in m.attachments), digests, strict=True))
    remember_stored(stored)
    insert_now(db.session(), item)  # one plain INSERT; no flush of the whole session
    # The transaction that inserted the row: until it commits no one else can see the item.
    item.stored_in = weakref.ref(db.session().get_transaction())
    record_now(
        "receive",
        item,
        actor=actor,
        summary=f"{item.source.value}: {item.subject or item.filename or ''}"[:500],
        after={"source": item.source.value, "size": item.size, "sha256": item.raw_sha256},
    )
    return item


def get_item(item_id: int) -> InboxItem | None:
    return db.session.get(InboxItem, item_id)


def pending_items(limit: int = 500) -> list[InboxItem]:
    """Pending items, oldest first (the one that has waited longest is handled first)."""
    return list(
        db.session.scalars(
            sa.select(InboxItem)
            .where(InboxItem.status == InboxStatus.PENDING)
            .order_by(InboxItem.received_at, InboxItem.id)
            .limit(limit)
        )
    )


def raw_bytes(item: InboxItem) -> bytes:
    received = getattr(item, "received", None)
    return received[0] if received else filestore.get(item.raw_sha256)


def known_digests(item: InboxItem) -> list[str] | None:
    """The message digests of the item's chain if they came with it (``prepare_message``)."""
    return getattr(item, "digests", None)


def load_chain(item: InboxItem):
    """The item's parsed chain: parsed when it was stored in this process, else parsed again
    from the stored bytes (raises ``MailParseError``)."""
    from caseapp.mail.parse import parse_bytes

    received = getattr(item, "received", None)
    if received and received[1] is not None:
        return received[1]
    return parse_bytes(raw_bytes(item), filename=item.filename, max_size=max(max_size(), item.size))


def claim(item: InboxItem, *, actor: User | None, defer: bool = False) -> bool:
    """Move the item from pending to done, or raise ``ServiceError`` if somebody else did.

    One conditional UPDATE, so of two registrars confirming the same item at the same time
    exactly one proceeds; it is also the first write of the registering transaction, which
    on SQLite takes the write lock before any duplicate check reads.

    An item stored by this very transaction (the CLI stores and registers in one) is not yet
    visible to anyone else, and the transaction's first write (the insert) has taken the
    lock: it is marked done without a conditional UPDATE (nobody else can have claimed it). With
    ``defer`` such an item is not even marked yet: ``claim`` returns True and the caller
    marks it done with its result (``settle(..., mark_done=True)``), so that the item's row is
    updated once (status and result together) instead of twice. Returns False otherwise.
    """
    stored_in = getattr(item, "stored_in", None)
    tx = db.session().get_transaction()
    if (
        stored_in is not None
        and tx is not None
        and stored_in() is tx
        and sa.inspect(item).persistent
        and item.status == InboxStatus.PENDING
    ):
        if defer:
            return True
        _write(item, _done_values(actor), {"done_by": actor})
        return False
    values = _done_values(actor)
    result = db.session.execute(
        sa.update(InboxItem)
        .where(InboxItem.id == item.id, InboxItem.status == InboxStatus.PENDING)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(item)
        raise ServiceError(N_("This mail has been handled already."))
    # The row now holds exactly these values: set them on the instance as loaded (no SELECT).
    _set_loaded(item, values | {"done_by": actor})
    return False


def _done_values(actor: User | None) -> dict:
    return {
        "status": InboxStatus.DONE,
        "done_at": utcnow(),
        "done_by_id": actor.id if actor else None,
    }


# The columns to set come with the parameters (built once; compiled once per column set).
_UPDATE_ITEM = sa.update(InboxItem.__table__).where(
    InboxItem.__table__.c.id == sa.bindparam("item_id")
)


def _write(item: InboxItem, values: dict, related: dict) -> None:
    """``values`` written on the item's row with one plain UPDATE, and set on the instance
    (with the ``related`` objects they refer to) as loaded: nothing is left for a flush."""
    db.session.connection().execute(_UPDATE_ITEM, values | {"item_id": item.id})
    _set_loaded(item, values | related)


def _set_loaded(item: InboxItem, values: dict) -> None:
    """Put ``values`` on the instance as if loaded from its row (no history, no SELECT)."""
    for key, value in values.items():
        set_committed_value(item, key, value)


def settle(
    item: InboxItem,
    *,
    actor: User | None,
    case: Case | None,
    document_numbers: list[str],
    mark_done: bool,
) -> None:
    """Write what registering the item gave (its case and document numbers) on its row;
    with ``mark_done`` (an item ``claim(..., defer=True)`` left to the caller) also that it
    is done, by whom and when: one UPDATE for both."""
    values = {"case_id": case.id if case else None, "document_numbers": document_numbers}
    related = {"case": case}
    if mark_done:
        values |= _done_values(actor)
        related["done_by"] = actor
    _write(item, values, related)


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
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ServiceError(N_("This mail has been handled already."))
    db.session.refresh(item)
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
