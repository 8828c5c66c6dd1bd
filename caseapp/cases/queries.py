"""Read-side queries for cases: lists with filters, a case's documents, choices.

Nothing here writes; every function is safe to call from a GET view.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.auth.models import User
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.models import Organisation
from caseapp.documents.models import Document, Party
from caseapp.extensions import db
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series

SORTS = {
    "number": (Case.year.desc(), Case.seq.desc()),
    "number_asc": (Case.year.asc(), Case.seq.asc()),
    "title": (Case.title.asc(), Case.id.asc()),
    "opened": (Case.opened_at.desc(), Case.id.desc()),
    "updated": (Case.updated_at.desc(), Case.id.desc()),
}


@dataclass
class CaseFilter:
    status: str | None = None
    organisation_id: int | None = None
    officer_id: int | None = None
    series_id: int | None = None
    text: str | None = None
    sort: str = "number"


def case_query(f: CaseFilter) -> sa.Select:
    """Cases matching ``f``, sorted; related rows preloaded so a list page is a few queries."""
    stmt = sa.select(Case).options(
        selectinload(Case.organisation), selectinload(Case.officer), selectinload(Case.series)
    )
    if f.status in {s.value for s in CaseStatus}:
        stmt = stmt.where(Case.status == CaseStatus(f.status))
    if f.organisation_id:
        stmt = stmt.where(Case.organisation_id == f.organisation_id)
    if f.officer_id:
        stmt = stmt.where(Case.officer_id == f.officer_id)
    if f.series_id:
        stmt = stmt.where(Case.series_id == f.series_id)
    if f.text and f.text.strip():
        # autoescape: a typed "%" or "_" is searched for literally, not as a wildcard.
        text = f.text.strip().lower()
        stmt = stmt.outerjoin(Organisation, Case.organisation_id == Organisation.id).where(
            sa.or_(
                sa.func.lower(Case.title).contains(text, autoescape=True),
                sa.func.lower(Case.number).contains(text, autoescape=True),
                sa.func.lower(Case.description).contains(text, autoescape=True),
                sa.func.lower(Organisation.name).contains(text, autoescape=True),
            )
        )
    return stmt.order_by(*SORTS.get(f.sort, SORTS["number"]))


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


def document_children(doc: Document) -> list[Document]:
    """Documents that forward or reply to ``doc`` (oldest first)."""
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.parent_id == doc.id).order_by(Document.seq)
        )
    )


def officers() -> list[User]:
    from caseapp.auth.models import Role

    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active, User.role.in_([Role.OFFICER, Role.REGISTRAR, Role.ADMIN]))
            .order_by(User.name)
        )
    )


def organisations() -> list[Organisation]:
    """Organisations to choose from: merged duplicates are left out."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.merged_into_id.is_(None))
            .order_by(Organisation.name)
        )
    )


def series_list(*, active_only: bool = False) -> list[Series]:
    stmt = sa.select(Series).order_by(Series.prefix)
    if active_only:
        stmt = stmt.where(Series.active)
    return list(db.session.scalars(stmt))


def programmes() -> list[Programme]:
    """Programmes with their rounds loaded."""
    return list(
        db.session.scalars(
            sa.select(Programme).options(selectinload(Programme.rounds)).order_by(Programme.name)
        )
    )
