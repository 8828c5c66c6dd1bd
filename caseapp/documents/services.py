"""Registering documents: the one way a document enters the record."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import nh3
import sqlalchemy as sa

from caseapp.audit.services import diff, record, record_now, snapshot
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import insert_now, insert_statement, utcnow
from caseapp.directory import services as directory
from caseapp.documents import filestore
from caseapp.documents.models import (
    Attachment,
    Direction,
    Document,
    DocumentKind,
    Party,
    PartyRole,
)
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.numbering import document_scope, next_number
from caseapp.signals import document_registered

# Metadata a registrar may correct after registration (audited). Content never changes.
EDITABLE_FIELDS = [
    "subject",
    "public_title",
    "direction",
    "document_date",
    "confidential",
    "legal_basis",
]


@dataclass
class PartyInput:
    role: PartyRole
    name: str | None
    address: str | None


@dataclass
class AttachmentInput:
    filename: str
    media_type: str
    content: bytes = field(repr=False)


def get_document(number: str) -> Document | None:
    return db.session.scalar(sa.select(Document).where(Document.number == number.strip()))


def content_hash(*parts: str | None) -> str:
    """A digest of normalised content, to recognise pasted text registered twice."""
    norm = "\x1f".join(" ".join((p or "").split()).casefold() for p in parts)
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


class PartyLookup:
    """Directory matches (mailbox, contact, organisation) of e-mail addresses, looked up in
    batches: three queries for all the addresses given to ``prime``, however many.

    The answers are those of ``mailbox_for_email``, ``contact_for_email`` and
    ``organisation_for_email``. A lookup is a snapshot: use one for one registering step
    (the documents of one mail), after any contacts it creates.
    """

    def __init__(self) -> None:
        self._found: dict[str, tuple] = {}

    def prime(self, addresses) -> None:
        missing = {a for a in addresses if a and a not in self._found}
        if not missing:
            return
        mailboxes = directory.mailboxes_for_emails(missing)
        contacts = directory.contacts_for_emails(missing)
        orgs = directory.organisations_for_emails(missing)
        for a in missing:
            mailbox, contact = mailboxes.get(a), contacts.get(a)
            org = (
                (mailbox.organisation if mailbox else None)
                or (contact.organisation if contact else None)
                or orgs.get(a)
            )
            self._found[a] = (mailbox, contact, org)

    def seed(self, address: str, mailbox, contact, organisation) -> None:
        """Record a match found by the caller in the same transaction (a proposal's)."""
        self._found[address] = (mailbox, contact, organisation)

    def get(self, address: str) -> tuple:
        if address not in self._found:
            self.prime([address])
        return self._found[address]


_STORED = "caseapp.documents.stored"


def remember_stored(pairs) -> None:
    """Remember ``(data, sha256)`` of files just stored in the file store (by
    ``filestore.put``, here or in a worker that has returned), so that registering them
    does not hash them again. Keyed by the very bytes objects (held, so the key stays
    theirs); replaces what was remembered before (one mail at a time)."""
    db.session().info[_STORED] = {id(data): (data, digest) for data, digest in pairs}


def _put(data: bytes) -> str:
    """``filestore.put(data)``, unless those very bytes were stored just before."""
    hit = db.session().info.get(_STORED, {}).get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    return filestore.put(data)


def _address(p: PartyInput) -> str | None:
    return (p.address or "").strip().lower() or None


def _party_row(p: PartyInput, position: int, lookup: PartyLookup) -> dict:
    """The parties row for one address, linked to its mailbox, contact and organisation."""
    address = _address(p)
    mailbox, contact, organisation = lookup.get(address) if address else (None, None, None)
    return {
        "role": PartyRole(p.role),
        "position": position,
        "name": (p.name or "").strip() or None,
        "address": address,
        "mailbox_id": mailbox.id if mailbox else None,
        "contact_id": contact.id if contact else None,
        "organisation_id": organisation.id if organisation else None,
    }


def _insert_rows(model, doc: Document, rows: list[dict]) -> None:
    """Insert the document's parties or attachments with one plain statement."""
    if rows:
        for row in rows:
            row["document_id"] = doc.id
        db.session.connection().execute(insert_statement(model.__table__), rows)


def register_document(
    case: Case,
    *,
    actor: User | None,
    direction: Direction,
    subject: str,
    kind: DocumentKind = DocumentKind.LETTER,
    parties: list[PartyInput] | None = None,
    public_title: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
    document_date: date | None = None,
    sent_as_written: str | None = None,
    received_at: datetime | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    parent: Document | None = None,
    confidential: bool = False,
    legal_basis: str | None = None,
    attachments: list[AttachmentInput] | None = None,
    original: bytes | None = None,
    original_filename: str | None = None,
    original_media_type: str | None = None,
    content_digest: str | None = None,
    party_lookup: PartyLookup | None = None,
) -> Document:
    """Register a document in ``case`` and return it, flushed but not committed.

    Guarantees, all inside the caller's transaction: the next gapless document number of
    the case (``KS 2021/123-4``); the original and attachments stored byte for byte in the
    content-addressed store before the row refers to them; parties linked to known contacts,
    mailboxes and organisations; HTML sanitised; an audit event; and the
    ``document_registered`` signal, whose receivers add their rows to the same transaction.
    If anything fails the caller rolls back and no number, row or audit entry remains
    (stored files are content-addressed and harmless if orphaned).

    ``party_lookup`` lets a caller registering several documents share one batched directory
    lookup; without it the parties' addresses are looked up here (three queries in all).
    """
    subject = (subject or "").strip()
    if not subject:
        raise ServiceError(N_("A document needs a subject."), field="subject")
    if confidential and not (legal_basis or "").strip():
        raise ServiceError(
            N_("A confidential document needs its legal basis."), field="legal_basis"
        )
    if parent is not None and parent.case_id != case.id:
        raise ServiceError(N_("A forward or reply must be registered in the same case."))

    seq = next_number(document_scope(case.id))
    doc = Document(
        case=case,
        seq=seq,
        number=f"{case.number}-{seq}",
        direction=Direction(direction),
        kind=DocumentKind(kind),
        subject=subject[:1000],
        public_title=(public_title or "").strip() or None,
        body_text=body_text,
        body_html=nh3.clean(body_html) if body_html else None,
        document_date=document_date,
        sent_as_written=sent_as_written,
        received_at=received_at,
        registered_at=utcnow(),
        registered_by=actor,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(references) if references else None,
        parent=parent,
        confidential=confidential,
        legal_basis=legal_basis or None,
        content_hash=content_digest,
    )
    if original is not None:
        doc.original_sha256 = _put(original)
        doc.original_size = len(original)
        doc.original_filename = original_filename
        doc.original_media_type = original_media_type or "application/octet-stream"
    lookup = party_lookup or PartyLookup()
    lookup.prime(_address(p) for p in parties or [])
    party_rows = [_party_row(p, i, lookup) for i, p in enumerate(parties or [])]
    attachment_rows = [
        {
            "position": i,
            "filename": a.filename,
            "media_type": a.media_type,
            "size": len(a.content),
            "sha256": _put(a.content),
        }
        for i, a in enumerate(attachments or [])
    ]
    # Plain INSERTs, not a flush: the same rows, at a fraction of the cost (a bulk import
    # registers thousands). ``doc.parties`` and ``doc.attachments`` load on first use.
    insert_now(db.session(), doc)
    _insert_rows(Attachment, doc, attachment_rows)
    _insert_rows(Party, doc, party_rows)
    record_now(
        "register",
        doc,
        actor=actor,
        case_id=case.id,
        summary=doc.number,
        after={"number": doc.number, "kind": doc.kind.value}
        | snapshot(doc, EDITABLE_FIELDS)
        | {
            "parties": [
                f"{r['role'].value}: {r['name'] or ''} <{r['address'] or ''}>" for r in party_rows
            ]
        },
    )
    document_registered.send(document=doc, actor=actor)
    return doc


def update_document(doc: Document, *, version: int, actor: User | None, **fields) -> Document:
    """Correct a registered document's metadata, audited with before and after.

    The content (body, original, attachments, parties as received) is never changed.
    A cancelled document cannot be edited; an edit based on an old version raises StaleEdit.
    """
    if doc.is_cancelled:
        raise ServiceError(N_("A cancelled document cannot be changed."))
    if doc.version != version:
        raise StaleEdit(N_("The document was changed by someone else meanwhile."))
    before = snapshot(doc, EDITABLE_FIELDS)
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValueError(f"field {key} cannot be edited after registration")
        setattr(doc, key, value)
    if doc.confidential and not (doc.legal_basis or "").strip():
        raise ServiceError(
            N_("A confidential document needs its legal basis."), field="legal_basis"
        )
    b, a = diff(before, snapshot(doc, EDITABLE_FIELDS))
    if a:
        record("update", doc, actor=actor, case_id=doc.case_id, before=b, after=a)
        db.session.flush()
    return doc


def cancel_document(doc: Document, *, reason: str, actor: User | None) -> Document:
    """Cancel (makulera) a document: it stays, with its number taken, marked void with why."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Cancelling needs a reason."), field="reason")
    if doc.is_cancelled:
        raise ServiceError(N_("The document is cancelled already."))
    doc.cancelled_at = utcnow()
    doc.cancelled_by = actor
    doc.cancel_reason = reason
    db.session.flush()
    record(
        "cancel",
        doc,
        actor=actor,
        case_id=doc.case_id,
        summary=doc.number,
        after={"cancel_reason": reason},
    )
    return doc
