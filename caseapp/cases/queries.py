"""Read-side queries for cases: lists with filters, an organisation's cases, choices.

Nothing here writes; every function is safe to call from a GET view.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.auth.models import Role, User
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.models import Organisation
from caseapp.extensions import db
from caseapp.keyset import Order, Page, Pager, read_page
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series

# The orders the case list offers, each read along its index (see Case.__table_args__).
ORDERS = {
    "number": Order((Case.year, Case.seq, Case.id), descending=True),
    "number_asc": Order((Case.year, Case.seq, Case.id)),
    "title": Order((Case.title, Case.id)),
    "opened": Order((Case.opened_at, Case.id), descending=True),
    "updated": Order((Case.updated_at, Case.id), descending=True),
}


@dataclass
class CaseFilter:
    status: str | None = None
    organisation_id: int | None = None
    officer_id: int | None = None
    series_id: int | None = None
    text: str | None = None
    sort: str = "number"
    # The cases whose title and description the searcher may read (cases.access): a text
    # search must not find a confidential case by what its masked view hides.
    readable: sa.ColumnElement[bool] | None = None

    @property
    def order(self) -> Order:
        return ORDERS.get(self.sort, ORDERS["number"])


_LIST_OPTIONS = (
    selectinload(Case.organisation),
    selectinload(Case.officer),
    selectinload(Case.series),
)


def _filtered(stmt: sa.Select, f: CaseFilter) -> sa.Select:
    if f.status in {s.value for s in CaseStatus}:
        stmt = stmt.where(Case.status == CaseStatus(f.status))
    if f.organisation_id:
        stmt = stmt.where(Case.organisation_id == f.organisation_id)
    if f.officer_id:
        stmt = stmt.where(Case.officer_id == f.officer_id)
    if f.series_id:
        stmt = stmt.where(Case.series_id == f.series_id)
    if f.text and f.text.strip():
        # No index answers a substring: this reads every case (of the other filters) until
        # a page and the capped count are found, once per request (keyset.read_page).
        # Full-text search is its own issue. autoescape: a typed "%" or "_" is literal.
        text = f.text.strip().lower()
        hidden = sa.or_(
            sa.func.lower(Case.title).contains(text, autoescape=True),
            sa.func.lower(Case.description).contains(text, autoescape=True),
        )
        if f.readable is not None:
            hidden = sa.and_(f.readable, hidden)
        stmt = stmt.outerjoin(Organisation, Case.organisation_id == Organisation.id).where(
            sa.or_(
                hidden,
                sa.func.lower(Case.number).contains(text, autoescape=True),
                sa.func.lower(Case.public_title).contains(text, autoescape=True),
                sa.func.lower(Organisation.name).contains(text, autoescape=True),
            )
        )
    return stmt


def case_query(f: CaseFilter) -> sa.Select:
    """Every case matching ``f``, sorted (for the CLI; pages use ``case_page``)."""
    stmt = sa.select(Case).options(*_LIST_OPTIONS)
    return _filtered(stmt, f).order_by(*f.order.clauses())


def case_page(f: CaseFilter, pager: Pager) -> Page:
    """The page of cases matching ``f`` that the pager's cursor points at, in ``f``'s
    order, with organisation, officer and series loaded: a fixed number of statements
    whatever the page or the number of cases."""
    order = f.order
    return read_page(_filtered(sa.select(*order.columns), f), order, _cases_by_id, pager)


def _cases_by_id(ids: list[int]) -> list[Case]:
    return list(db.session.scalars(sa.select(Case).where(Case.id.in_(ids)).options(*_LIST_OPTIONS)))


def case_counts(organisation_ids: list[int]) -> dict[int, int]:
    """How many cases each organisation has, in one query (organisations without any are
    left out)."""
    if not organisation_ids:
        return {}
    result = db.session.execute(
        sa.select(Case.organisation_id, sa.func.count(Case.id))
        .where(Case.organisation_id.in_(organisation_ids))
        .group_by(Case.organisation_id)
    )
    return {org_id: n for org_id, n in result}


def officers() -> list[User]:
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
