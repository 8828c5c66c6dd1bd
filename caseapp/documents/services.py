"""Registering documents: the one way a document enters the record."""

from dataclasses import dataclass, field
from datetime import date, datetime

import nh3
import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.directory import services as directory
from caseapp.documents import filestore
from caseapp.documents.models import (
    Direction,
    Document,
    DocumentKind,
    PartyRole,
)
from caseapp.documents.moves import check_movable as check_movable
from caseapp.documents.moves import earlier_numbers as earlier_numbers
from caseapp.documents.moves import linked_documents as linked_documents
from caseapp.documents.moves import move_document as move_document
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.numbering import document_scope, next_number
from caseapp.rows import ORM, RowWriter
from caseapp.signals import document_cancelled, document_registered
from caseapp.text import clean_filename

# Metadata a registrar may correct after registration (audited). Content never changes.
EDITABLE_FIELDS = [
    "subject",
    "public_title",
    "direction",
    "document_date",
    "confidential",
    "legal_basis",
]
LEGAL_BASIS_MAX = 200  # Document.legal_basis


@dataclass
class PartyInput:
    """One address of a document. ``match`` is its directory match when the caller has
    looked it up already (a mail import does, for all of a mail's addresses at once);
    otherwise ``register_document`` looks it up."""

    role: PartyRole
    name: str | None
    address: str | None
    match: directory.PartyMatch | None = None


@dataclass
class AttachmentInput:
    """A file of a document. ``sha256``: the digest it was stored under in the file store
    already (at intake); without it, or if the store does not hold it, it is stored here."""

    filename: str
    media_type: str
    content: bytes = field(repr=False)
    sha256: str | None = None


@dataclass
class OriginalFile:
    """The document's original as received (the whole mail), stored in the file store at
    intake: its digest there, size, file name and media type."""

    sha256: str
    size: int
    filename: str | None = None
    media_type: str = "application/octet-stream"


@dataclass
class DocumentDraft:
    """Everything a new document is registered with, as the form or the mail path gives it.

    ``parent``: the registered document this one forwards or replies to (``kind`` says
    which). ``content_digest``: ``mail.digests.message_digest`` of the message it was
    registered from, so the same message is recognised when it arrives again.
    ``automatic``: a program wrote it (an automatic reply).
    """

    direction: Direction
    subject: str
    kind: DocumentKind = DocumentKind.LETTER
    parties: list[PartyInput] = field(default_factory=list)
    public_title: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    document_date: date | None = None
    sent_as_written: str | None = None
    received_at: datetime | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    parent: Document | None = None
    confidential: bool = False
    legal_basis: str | None = None
    attachments: list[AttachmentInput] = field(default_factory=list)
    original: OriginalFile | None = None
    content_digest: str | None = None
    automatic: bool = False


def get_document(number: str) -> Document | None:
    return db.session.scalar(sa.select(Document).where(Document.number == number.strip()))


def _address(p: PartyInput) -> str | None:
    return (p.address or "").strip().lower() or None


def _party_rows(parties: list[PartyInput], writer: RowWriter) -> list[dict]:
    """The parties' rows, each linked to its mailbox, contact and organisation."""
    unmatched = {_address(p) for p in parties if p.match is None} - {None}
    found = writer.answers("party", unmatched, directory.match_addresses)
    rows = []
    for position, p in enumerate(parties):
        address = _address(p)
        match = p.match or found.get(address) or directory.PartyMatch()
        rows.append(
            {
                "role": PartyRole(p.role),
                "position": position,
                "name": (p.name or "").strip() or None,
                "address": address,
                "mailbox_id": match.mailbox.id if match.mailbox else None,
                "contact_id": match.contact.id if match.contact else None,
                "organisation_id": match.organisation.id if match.organisation else None,
            }
        )
    return rows


def _stored(a: AttachmentInput) -> str:
    if a.sha256 and filestore.exists(a.sha256):
        return a.sha256
    return filestore.put(a.content)


def _check_draft(case: Case, draft: DocumentDraft) -> str:
    subject = (draft.subject or "").strip()
    if not subject:
        raise ServiceError(N_("A document needs a subject."), field="subject")
    if draft.confidential and not (draft.legal_basis or "").strip():
        raise ServiceError(
            N_("A confidential document needs its legal basis."), field="legal_basis"
        )
    if draft.parent is not None and draft.parent.is_moved:
        raise ServiceError(
            N_("%(number)s was moved to %(new)s: link to the document there."),
            number=draft.parent.number,
            new=draft.parent.moved_to.number,
        )
    if draft.parent is not None and draft.parent.case_id != case.id:
        raise ServiceError(N_("A forward or reply must be registered in the same case."))
    if draft.original is not None and not filestore.exists(draft.original.sha256):
        raise ValueError("the original is not in the file store")
    return subject


def register_document(
    case: Case, draft: DocumentDraft, *, actor: User | None, writer: RowWriter = ORM
) -> Document:
    """Register ``draft`` as the next document of ``case`` and return it, flushed, not
    committed.

    Guarantees, all inside the caller's transaction: the next gapless document number of
    the case (``KS 2021/123-4``); the original and attachments in the content-addressed
    store before the row refers to them; parties linked to known contacts, mailboxes and
    organisations; HTML sanitised; one audit event; and the ``document_registered``
    signal, whose receivers add their rows to the same transaction. If anything fails the
    caller rolls back and no number, row or audit entry remains (stored files are
    content-addressed and harmless if orphaned). ``writer``: see ``caseapp.rows``.
    """
    subject = _check_draft(case, draft)
    seq = next_number(document_scope(case.id))
    doc = Document(
        case=case,
        seq=seq,
        number=f"{case.number}-{seq}",
        direction=Direction(draft.direction),
        kind=DocumentKind(draft.kind),
        subject=subject[:1000],
        public_title=(draft.public_title or "").strip() or None,
        body_text=draft.body_text,
        body_html=nh3.clean(draft.body_html) if draft.body_html else None,
        document_date=draft.document_date,
        sent_as_written=draft.sent_as_written,
        received_at=draft.received_at,
        registered_at=utcnow(),
        registered_by=actor,
        message_id=draft.message_id,
        in_reply_to=draft.in_reply_to,
        references=" ".join(draft.references) if draft.references else None,
        parent=draft.parent,
        confidential=draft.confidential,
        legal_basis=draft.legal_basis or None,
        content_hash=draft.content_digest,
        automatic=draft.automatic,
    )
    if draft.original is not None:
        doc.original_sha256 = draft.original.sha256
        doc.original_size = draft.original.size
        doc.original_filename = clean_filename(draft.original.filename)
        doc.original_media_type = draft.original.media_type
    parties = _party_rows(draft.parties, writer)
    attachments = [
        {
            "position": i,
            # Whatever path it came by, a name that could disguise the file is cleaned.
            "filename": clean_filename(a.filename) or "attachment",
            "media_type": a.media_type,
            "size": len(a.content),
            "sha256": _stored(a),
        }
        for i, a in enumerate(draft.attachments)
    ]
    writer.insert(doc, parties=parties, attachments=attachments)
    writer.audit(
        "register",
        doc,
        actor=actor,
        case_id=case.id,
        summary=doc.number,
        after={"number": doc.number, "kind": doc.kind.value}
        | snapshot(doc, EDITABLE_FIELDS)
        | {"parties": [_party_text(r) for r in parties]},
    )
    document_registered.send(document=doc, actor=actor, writer=writer)
    return doc


def _party_text(row: dict) -> str:
    return f"{row['role'].value}: {row['name'] or ''} <{row['address'] or ''}>"


def _refuse_old_number(doc: Document) -> None:
    if doc.is_moved:
        raise ServiceError(
            N_("%(number)s was moved to %(new)s: change the document there."),
            number=doc.number,
            new=doc.moved_to.number,
        )


def update_document(doc: Document, *, version: int, actor: User | None, **fields) -> Document:
    """Correct a registered document's metadata, audited with before and after.

    The content (body, original, attachments, parties as received) is never changed.
    A cancelled document cannot be edited, nor the old number of a moved one; an edit based
    on an old version raises StaleEdit.
    """
    _refuse_old_number(doc)
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
    """Cancel (makulera) a document: it stays, with its number taken, marked void with why.

    The old number of a moved document is not a document to cancel: the document is."""
    _refuse_old_number(doc)
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
    document_cancelled.send(document=doc, actor=actor)
    return doc


def mark_confidential(doc: Document, *, provision: str, actor: User | None) -> Document:
    """Mark ``doc`` confidential (sekretessmarkera) under ``provision``, the OSL provision
    kept as its legal basis; audited with before and after.

    Works on a cancelled document too: cancelling keeps the record, and what the record says
    may still have to be kept secret. Nothing is sent: every notice is composed at its
    attempt, so any notice still waiting or retried after this commits, and any resend, is
    masked. (A notice a worker is handing to the SMTP server at this very moment was
    composed before it.) The old number of a moved document is refused: mark the document.
    """
    _refuse_old_number(doc)
    provision = " ".join((provision or "").split())
    if not provision:
        raise ServiceError(
            N_("A confidential document needs its legal basis."), field="legal_basis"
        )
    if len(provision) > LEGAL_BASIS_MAX:
        raise ServiceError(
            N_("The legal basis is at most %(limit)s characters."),
            field="legal_basis",
            limit=LEGAL_BASIS_MAX,
        )
    fields = ["confidential", "legal_basis"]
    before = snapshot(doc, fields)
    doc.confidential = True
    doc.legal_basis = provision
    b, a = diff(before, snapshot(doc, fields))
    if a:
        db.session.flush()
        # Recorded as a correction of the description: the history names the two fields.
        record(
            "update",
            doc,
            actor=actor,
            case_id=doc.case_id,
            summary=doc.number,
            before=b,
            after=a,
        )
    return doc
