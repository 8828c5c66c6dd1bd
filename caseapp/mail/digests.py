"""What makes two messages the same.

A message can arrive many times: the same .eml uploaded twice, fetched by IMAP and also
delivered by the gateway, pasted after being uploaded, or quoted in the reply to it. It is
recognised by, strongest first:

- **the file**: the raw bytes' SHA-256 equal those a document was registered from;
- **the Message-ID**, but only when the content (attachments included) agrees as well: a
  mail that reuses another mail's Message-ID (by mistake or to have the real one dropped)
  is never taken for it, and is reported instead;
- **the content**: the ``message_digest`` — sender, the minute it was sent (Swedish time),
  the words of its subject and the first words of its own body, normalised so that the
  same message pasted, parsed from HTML or quoted with ``>`` gives the same digest. A message
  without a sender or a time has no digest: too little to call two of them the same. Two
  messages whose attachments both are known and differ are not the same;
- **the reply**: a quoted message whose sender is the sender of the document the quoting
  message answers (its In-Reply-To) is that document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.documents.models import Document, PartyRole
from caseapp.documents.queries import STANDING
from caseapp.extensions import db
from caseapp.mail.models import InboxItem
from caseapp.mail.parse import ParsedChain, ParsedMessage, normalize_subject
from caseapp.timeutil import STOCKHOLM, from_wall_clock

BODY_WORDS = 64  # enough to tell messages apart, few enough to survive a re-wrapped quote
_WORD = re.compile(r"\w+")

# How a message was recognised as a registered document (shown on the review page).
SAME_FILE = "file"
SAME_MESSAGE_ID = "message-id"
SAME_CONTENT = "content"
QUOTED_REPLY = "quoted-reply"


def _words(text: str | None, limit: int | None = None) -> str:
    words = _WORD.findall((text or "").casefold())
    return " ".join(words[:limit] if limit else words)


def content_digest(
    sender: str | None, sent: datetime | None, subject: str | None, body: str | None
) -> str | None:
    """The digest of a message's normalised content (see the module's docstring), or None
    without a sender address or a time. ``sent`` naive means Swedish wall-clock time."""
    if not sender or sent is None:
        return None
    minute = from_wall_clock(sent).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    text = "\x1f".join(
        [
            sender.strip().lower(),
            minute,
            _words(normalize_subject(subject or "")),
            _words(body, BODY_WORDS),
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def message_digest(msg: ParsedMessage) -> str | None:
    """``content_digest`` of a parsed message."""
    sender = msg.sender.email if msg.sender else None
    return content_digest(sender, msg.sent, msg.subject or msg.subject_normalized, msg.body)


def chain_digests(chain: ParsedChain) -> list[str | None]:
    """``message_digest`` of each message of the chain, by index."""
    return [message_digest(m) for m in chain.messages]


@dataclass(frozen=True)
class Copy:
    """A registered document that is the same message, and the rule that said so."""

    document: Document
    rule: str


@dataclass
class Recognised:
    """What of a chain is registered already.

    ``copies``: message index → its registered copy. ``same_file``: documents registered
    from these very bytes. ``reused_ids``: message index → a document with the same
    Message-ID but other content (a warning; the message is not taken for it).
    """

    copies: dict[int, Copy] = field(default_factory=dict)
    same_file: list[Document] = field(default_factory=list)
    reused_ids: dict[int, Document] = field(default_factory=dict)


_CANDIDATES = (
    sa.select(Document)
    .where(
        STANDING,
        sa.or_(
            Document.message_id.in_(sa.bindparam("ids", expanding=True)),
            Document.content_hash.in_(sa.bindparam("digests", expanding=True)),
            Document.original_sha256 == sa.bindparam("raw"),
        ),
    )
    .options(selectinload(Document.attachments), selectinload(Document.parties))
    .order_by(Document.registered_at, Document.id)
)


def _sender(doc: Document) -> str:
    return next((p.address or "" for p in doc.parties if p.role == PartyRole.FROM), "")


def _attachments_agree(msg: ParsedMessage, doc: Document) -> bool:
    mine = {a.sha256 for a in msg.attachments}
    theirs = {a.sha256 for a in doc.attachments}
    return not mine or not theirs or mine == theirs


def _whole_agrees(msg: ParsedMessage, doc: Document) -> bool:
    """The whole text and the recipients agree, not only what the digest covers: what a
    message with the document's own Message-ID must show to be taken for it (a copy
    received again is whole; one that reuses the id with a changed end, or for other
    recipients, is another mail)."""
    if _words(msg.body) != _words(doc.body_text):
        return False
    mine = {a.email for a in [*msg.to, *msg.cc] if a.email}
    theirs = {p.address for p in doc.parties if p.role in (PartyRole.TO, PartyRole.CC)}
    return not mine or not theirs or mine == theirs


def _same(msg: ParsedMessage, digest: str | None, doc: Document, raw: str | None) -> str | None:
    """The rule by which ``doc`` is ``msg``, or None."""
    if raw is not None and doc.original_sha256 == raw and digest == doc.content_hash:
        return SAME_FILE
    ids_agree = not msg.message_id or not doc.message_id or msg.message_id == doc.message_id
    # The attachments are content too: the same text with another file is another mail.
    content_agrees = (
        digest is not None and digest == doc.content_hash and _attachments_agree(msg, doc)
    )
    if msg.message_id and msg.message_id == doc.message_id and content_agrees:
        return SAME_MESSAGE_ID if _whole_agrees(msg, doc) else None
    if content_agrees and ids_agree:
        return SAME_CONTENT
    return None


def _answered(chain: ParsedChain, i: int, docs: list[Document]) -> Document | None:
    """The document that message ``i`` is, as the message the one quoting it answers."""
    if i == 0:
        return None
    quoting, quoted = chain.messages[i - 1], chain.messages[i]
    if quoting.kind != "reply" or not quoting.in_reply_to or quoted.sender is None:
        return None
    for doc in docs:
        if doc.message_id == quoting.in_reply_to and _sender(doc) == quoted.sender.email:
            return doc
    return None


def registered_copies(
    chain: ParsedChain, digests: list[str | None], *, raw_sha256: str | None = None
) -> Recognised:
    """Which of the chain's messages are registered already (cancelled documents do not
    count), each by the strongest rule that holds; one query (two more to load the
    candidates' parties and attachments when there are any)."""
    msgs = chain.messages
    ids = {m.message_id for m in msgs if m.message_id} | {
        m.in_reply_to for m in msgs if m.in_reply_to
    }
    params = {"ids": sorted(ids), "digests": sorted({d for d in digests if d}), "raw": raw_sha256}
    docs = list(db.session.scalars(_CANDIDATES, params))
    found = Recognised(
        same_file=[d for d in docs if raw_sha256 and d.original_sha256 == raw_sha256]
    )
    taken: set[int] = set()
    for i, msg in enumerate(msgs):
        for doc in docs:
            rule = None if doc.id in taken else _same(msg, digests[i], doc, raw_sha256)
            if rule is not None:
                found.copies[i] = Copy(doc, rule)
                taken.add(doc.id)
                break
        if i not in found.copies:
            doc = _answered(chain, i, docs)
            if doc is not None and doc.id not in taken:
                found.copies[i] = Copy(doc, QUOTED_REPLY)
                taken.add(doc.id)
        if i not in found.copies and msg.message_id:
            reused = next((d for d in docs if d.message_id == msg.message_id), None)
            if reused is not None:
                found.reused_ids[i] = reused
    return found


@dataclass
class Seen:
    """Where else an inbox item's mail is: other inbox items with the same mail, and
    documents registered from the same file or as the same message. ``conflicts``: inbox
    items and documents with the item's Message-ID but other content (one of the two
    reuses the other's Message-ID; neither is taken for the other)."""

    items: list[InboxItem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    conflicts: list[InboxItem | Document] = field(default_factory=list)


def seen_elsewhere(items: list[InboxItem]) -> dict[int, Seen]:
    """``Seen`` for each of ``items`` that is anywhere else, by item id: two queries for
    the whole list (the inbox shows it beside each item)."""
    if not items:
        return {}
    raws = {i.raw_sha256 for i in items}
    ids = {i.message_id for i in items if i.message_id}
    firsts = {(i.digests or [None])[0] for i in items} - {None}
    others = db.session.scalars(
        sa.select(InboxItem)
        .where(sa.or_(InboxItem.raw_sha256.in_(raws), InboxItem.message_id.in_(ids)))
        .order_by(InboxItem.received_at, InboxItem.id)
    ).all()
    docs = db.session.scalars(
        sa.select(Document)
        .where(
            STANDING,
            sa.or_(
                Document.original_sha256.in_(raws),
                Document.message_id.in_(ids),
                Document.content_hash.in_(firsts),
            ),
        )
        .order_by(Document.registered_at, Document.id)
    ).all()
    seen: dict[int, Seen] = {}
    for item in items:
        first = (item.digests or [None])[0]
        same_items = [
            o
            for o in others
            if o.id != item.id
            and (
                o.raw_sha256 == item.raw_sha256
                or (
                    first is not None
                    and o.message_id == item.message_id
                    and (o.digests or [None])[0] == first
                )
            )
        ]
        same_docs = [
            d
            for d in docs
            if d.original_sha256 == item.raw_sha256
            or (
                first is not None
                and d.content_hash == first
                and (not d.message_id or not item.message_id or d.message_id == item.message_id)
            )
        ]
        conflicts = [
            o for o in [*others, *docs] if item.message_id and o.message_id == item.message_id
        ]
        conflicts = [o for o in conflicts if o not in same_items and o not in same_docs]
        conflicts = [o for o in conflicts if not (isinstance(o, InboxItem) and o.id == item.id)]
        if same_items or same_docs or conflicts:
            seen[item.id] = Seen(same_items, same_docs, conflicts)
    return seen
