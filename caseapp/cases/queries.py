"""Read-side queries for cases: lists with filters, a case's documents and history."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.models import Organisation
from caseapp.documents.models import Document, Party

SORTS = {
    "number": (Case.year.desc(), Case.seq.desc()),
    "number_asc": (Case.year.asc(), Case.seq.asc()),
    "title": (Case.title.asc(),),
    "opened": (Case.opened_at.desc(),),
    "updated": (Case.updated_at.desc(),),
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
        like = f"%{f.text.strip().lower()}%"
        stmt = stmt.outerjoin(Organisation, Case.organisation_id == Organisation.id).where(
            sa.or_(
                sa.func.lower(Case.title).like(like),
                sa.func.lower(Case.number).like(like),
                sa.func.lower(Case.description).like(like),
                sa.func.lower(Organisation.name).like(like),
            )
        )
    return stmt.order_by(*SORTS.get(f.sort, SORTS["number"]))


def case_documents(case: Case) -> list[Document]:
    from caseapp.extensions import db

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
            )
            .order_by(Document.seq)
        )
    )


def case_history(case: Case) -> list[AuditEvent]:
    from caseapp.extensions import db

    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


def officers() -> list[User]:
    from caseapp.auth.models import Role
    from caseapp.extensions import db

    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active, User.role.in_([Role.OFFICER, Role.REGISTRAR, Role.ADMIN]))
            .order_by(User.name)
        )
    )
