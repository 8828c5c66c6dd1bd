"""Opening and changing cases."""

import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.cases.models import Case, CaseStatus
from caseapp.db import utcnow
from caseapp.directory.models import Organisation
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.registry.models import Series
from caseapp.registry.numbering import case_scope, next_number
from caseapp.signals import case_opened
from caseapp.timeutil import local_now

CASE_FIELDS = [
    "title",
    "public_title",
    "description",
    "status",
    "organisation_id",
    "officer_id",
    "programme_id",
    "round_id",
    "confidential",
    "legal_basis",
]


_BY_NUMBER = sa.select(Case).where(Case.number == sa.bindparam("number"))  # built once


def get_case(number: str) -> Case | None:
    return db.session.scalar(_BY_NUMBER, {"number": number.strip()})


def open_case(
    series: Series,
    *,
    title: str,
    actor: User | None,
    organisation: Organisation | None = None,
    officer: User | None = None,
    public_title: str | None = None,
    description: str | None = None,
    confidential: bool = False,
    legal_basis: str | None = None,
    programme_id: int | None = None,
    round_id: int | None = None,
) -> Case:
    """Open a case with the next number of the series for this year (Swedish time).

    The number is unique and gapless (see registry.numbering); the opening is audited.
    """
    if not series.active:
        raise ServiceError(
            N_("The series %(prefix)s is closed for new cases."),
            field="series_id",
            prefix=series.prefix,
        )
    if not title.strip():
        raise ServiceError(N_("A case needs a title."), field="title")
    if confidential and not (legal_basis or "").strip():
        raise ServiceError(N_("A confidential case needs its legal basis."), field="legal_basis")
    year = local_now().year
    seq = next_number(case_scope(series.id), year if series.per_year else 0)
    case = Case(
        series=series,
        year=year,
        seq=seq,
        number=series.format_number(year, seq),
        title=title.strip(),
        public_title=(public_title or "").strip() or None,
        description=description or None,
        organisation=organisation,
        officer=officer,
        confidential=confidential,
        legal_basis=legal_basis or None,
        programme_id=programme_id,
        round_id=round_id,
        created_by=actor,
        status=CaseStatus.OPEN,
    )
    db.session.add(case)
    db.session.flush()
    record(
        "open",
        case,
        actor=actor,
        case_id=case.id,
        summary=case.number,
        after={"number": case.number} | snapshot(case, CASE_FIELDS),
    )
    case_opened.send(case=case, actor=actor)
    return case


def update_case(case: Case, *, version: int, actor: User | None, **fields) -> Case:
    """Change a case's metadata; an edit based on an older version raises StaleEdit.

    Closing sets ``closed_at``; reopening clears it. Only changed fields are audited.
    """
    if case.version != version:
        raise StaleEdit(N_("The case was changed by someone else meanwhile."))
    before = snapshot(case, CASE_FIELDS)
    for key, value in fields.items():
        if key not in CASE_FIELDS:
            raise ValueError(f"unknown case field {key}")
        setattr(case, key, value)
    if case.confidential and not (case.legal_basis or "").strip():
        raise ServiceError(N_("A confidential case needs its legal basis."), field="legal_basis")
    if case.status == CaseStatus.CLOSED and case.closed_at is None:
        case.closed_at = utcnow()
    elif case.status != CaseStatus.CLOSED:
        case.closed_at = None
    b, a = diff(before, snapshot(case, CASE_FIELDS))
    if a:
        record("update", case, actor=actor, case_id=case.id, before=b, after=a)
        db.session.flush()
    return case
