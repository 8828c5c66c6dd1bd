"""Read-side queries for documents: a case's documents, a document's forwards and replies,
the documents a contact or mailbox is a party to.

Nothing here writes; every function is safe to call from a GET view.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.cases import access
from caseapp.cases.models import Case
from caseapp.documents.models import Document, Party
from caseapp.extensions import db
from caseapp.keyset import Order, Page, Pager, read_page

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


# A party's documents, newest first: a document's id is given when it is registered (a
# moved document's new number when it is moved), and the parties' key indexes hold it.
PARTY_DOCUMENTS = Order((Party.document_id,), descending=True)


def party_document_page(
    user, pager: Pager, *, contact_id: int | None = None, mailbox_id: int | None = None
) -> Page:
    """A page of the documents where the contact (or mailbox) is a party, newest first,
    each once, their cases loaded. A confidential document ``user`` has no need-to-know
    for is left out, and not counted: that the contact is a party to it is what it hides.
    """
    party = Party.contact_id == contact_id if contact_id is not None else None
    if mailbox_id is not None:
        party = Party.mailbox_id == mailbox_id
    if party is None:
        raise ValueError("a contact or a mailbox")
    readable = sa.or_(
        sa.and_(Document.confidential.is_(False), Case.confidential.is_(False)),
        access.narrowed_by_need_to_know(user),
    )
    keys = (
        sa.select(Party.document_id)
        .join(Document, Document.id == Party.document_id)
        .join(Case, Case.id == Document.case_id)
        .where(party, readable)
        .group_by(Party.document_id)
    )
    return read_page(keys, PARTY_DOCUMENTS, _documents_by_id, pager)


def _documents_by_id(ids: list[int]) -> list[Document]:
    # The page asks of each whether its case is confidential (need-to-know).
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.id.in_(ids)).options(selectinload(Document.case))
        )
    )
