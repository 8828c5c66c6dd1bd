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


# Free texts of a case, kept as typed but for the line ends (a browser sends CRLF, the
# command line LF) and blanks around them, so saving a form unchanged changes nothing.
TEXT_FIELDS = ("public_title", "description", "legal_basis")

_BY_NUMBER = sa.select(Case).where(Case.number == sa.bindparam("number"))  # built once


def _text(value: str | None) -> str | None:
    """A free text as stored: LF line ends, no blanks around it, None when empty."""
    text = "\n".join((value or "").strip().splitlines())
    return text or None


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
        public_title=_text(public_title),
        description=_text(description),
        organisation=organisation,
        officer=officer,
        confidential=confidential,
        legal_basis=_text(legal_basis),
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

    Closing sets ``closed_at``; reopening clears it. Only changed fields are audited, and a
    save that changes nothing records nothing: a free text that differs only in its line
    ends or surrounding blanks is the same text.
    """
    if case.version != version:
        raise StaleEdit(N_("The case was changed by someone else meanwhile."))
    before = snapshot(case, CASE_FIELDS)
    for key, value in fields.items():
        if key not in CASE_FIELDS:
            raise ValueError(f"unknown case field {key}")
        if key in TEXT_FIELDS:
            value = _text(value)
            if value == _text(getattr(case, key)):
                continue  # the same text; what is stored stays as it is
        elif key == "title":
            value = (value or "").strip()
            if not value:
                raise ServiceError(N_("A case needs a title."), field="title")
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


def follow_merged_organisation(_sender=None, *, keep, duplicate, **_kwargs) -> dict[str, int]:
    """Receiver of ``organisation_merged``: the duplicate's cases belong to ``keep`` now.

    Each moved case gets a new version, so an edit form opened before the merge cannot put
    the old organisation back.
    """
    result = db.session.execute(
        sa.update(Case)
        .where(Case.organisation_id == duplicate.id)
        .values(organisation_id=keep.id, version=Case.version + 1)
    )
    return {"cases": result.rowcount}
