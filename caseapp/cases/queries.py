"""Read-side queries for cases: lists with filters, a case's documents and history.

Nothing here writes; every function is safe to call from a GET view.
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.models import Organisation
from caseapp.documents.models import Document, Party
from caseapp.extensions import db
from caseapp.programmes.models import Programme, Round
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


def case_history(case: Case) -> list[AuditEvent]:
    """The case's audit events, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class HistoryEntry:
    event: AuditEvent
    changes: list[Change] = field(default_factory=list)


# Audit rows store ids; a reader wants names. (model, attribute shown)
_REFERENCES: dict[str, tuple[type, str]] = {
    "organisation_id": (Organisation, "name"),
    "officer_id": (User, "name"),
    "programme_id": (Programme, "name"),
    "round_id": (Round, "name"),
    "assignee_user_id": (User, "name"),
}


def _names(events: list[AuditEvent]) -> dict[str, dict[int, str]]:
    wanted: dict[str, set[int]] = {k: set() for k in _REFERENCES}
    for ev in events:
        for side in (ev.before or {}, ev.after or {}):
            for key in wanted:
                if isinstance(side.get(key), int):
                    wanted[key].add(side[key])
    names: dict[str, dict[int, str]] = {}
    for key, ids in wanted.items():
        model, attr = _REFERENCES[key]
        names[key] = (
            dict(
                db.session.execute(
                    sa.select(model.id, getattr(model, attr)).where(model.id.in_(ids))
                ).all()
            )
            if ids
            else {}
        )
    return names


def case_history_entries(case: Case) -> list[HistoryEntry]:
    """The case's audit history, newest first, each with its changed fields before → after.

    Referenced ids (organisation, officer, programme, round) are shown by name; an id whose
    row has gone is shown as the id.
    """
    events = case_history(case)
    names = _names(events)
    entries = []
    for ev in events:
        before, after = ev.before or {}, ev.after or {}
        changes = []
        for key in list(dict.fromkeys([*before, *after])):
            b, a = before.get(key), after.get(key)
            if key in names:
                b = names[key].get(b, b) if b is not None else None
                a = names[key].get(a, a) if a is not None else None
            if ev.before is None and a in (None, "", False, []):
                continue  # a creation lists what was set, not every empty field
            changes.append(Change(key, b, a))
        entries.append(HistoryEntry(ev, changes))
    return entries


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
