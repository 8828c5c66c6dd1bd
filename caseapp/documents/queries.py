"""Read-side queries for documents: a case's documents, a document's forwards and replies,
the documents a contact or mailbox is a party to.

Nothing here writes; every function is safe to call from a GET view.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.cases.models import Case
from caseapp.documents.models import Document, Party
from caseapp.extensions import db

# A document that stands: not cancelled, and not the number a moved document left behind.
# Only such a document is a copy of a message, news for a digest or a thread's document.
STANDING = sa.and_(Document.cancelled_at.is_(None), Document.moved_to_id.is_(None))


def case_documents(case: Case) -> list[Document]:
    """The case's documents, oldest first, with parties, attachments and parents loaded."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.case_id == case.id)
            .options(
                selectinload(Document.parties).selectinload(Party.contact),
                selectinload(Document.parties).selectinload(Party.mailbox),
                selectinload(Document.attachments),
                selectinload(Document.parent),
                selectinload(Document.registered_by),
                selectinload(Document.cancelled_by),
            )
            .order_by(Document.seq)
        )
    )


def case_timeline(case: Case) -> list[Document]:
    """The case's documents, oldest first, for the case page's one row each: with their
    parties (the counterpart), in two statements however many there are (an old number's
    document is loaded with it, in one more when there are any)."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.case_id == case.id)
            .options(selectinload(Document.parties))
            .order_by(Document.seq)
        )
    )


def has_confidential_documents(case: Case) -> bool:
    """A document of the case is marked confidential itself."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(Document.case_id == case.id, Document.confidential.is_(True))
            )
        )
    )


def document_children(doc: Document) -> list[Document]:
    """Documents that forward or reply to ``doc`` (oldest first)."""
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.parent_id == doc.id).order_by(Document.seq)
        )
    )


def party_documents(*, contact_id: int | None = None, mailbox_id: int | None = None) -> list:
    """Documents where the contact (or mailbox) is a party, newest first, each once."""
    stmt = sa.select(Document).join(Party, Party.document_id == Document.id)
    if contact_id is not None:
        stmt = stmt.where(Party.contact_id == contact_id)
    elif mailbox_id is not None:
        stmt = stmt.where(Party.mailbox_id == mailbox_id)
    else:
        return []
    stmt = stmt.distinct().order_by(Document.registered_at.desc(), Document.id.desc())
    # The page asks of each whether its case is confidential (need-to-know).
    return list(db.session.scalars(stmt.options(selectinload(Document.case))))
