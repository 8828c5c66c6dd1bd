"""Open follow-ups by person: the navigation's count and the pages of My follow-ups.

A follow-up is a user's in one of three shapes: assigned to them, assigned to a group they
are in, or assigned to nobody in a case they are the officer of. One OR of the three leaves
the database a single index that serves all of them (status and due date): it walks every
open follow-up due by the day and fetches each row to test the OR. So each shape here is a
SELECT of its own, answered by its own index (``ix_followups_assignee_user_id``,
``…_assignee_group_id_…``, and ``…_case_id_…`` through the officer's cases, which
``cases.officer_id`` finds), and the shapes are joined with UNION ALL. They never overlap:
a follow-up names one user, or one group, or nobody (a check constraint), and a user is in a
group once. The registry queue, which registrars keep, is a fourth shape (nobody named, no
active officer) in two arms: cases with no officer, and cases whose officer has left.

Every list is read in pages by keyset: ordered by (due, id), a page is the next ``size``
rows after the last one shown, read by the same index ranges as the counts.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.extensions import db
from caseapp.followups.models import FollowUp, FollowUpStatus, user_group_members

Arm = sa.Select


def _open() -> Arm:
    return sa.select(FollowUp.id, FollowUp.due).where(FollowUp.status == FollowUpStatus.OPEN)


def _unassigned():
    return sa.and_(FollowUp.assignee_user_id.is_(None), FollowUp.assignee_group_id.is_(None))


def _in_cases(cases: sa.Select) -> Arm:
    # "case_id IN (the cases)", not a join: SQLite, lacking statistics, would answer a join
    # by walking every open follow-up due by the day (the status and due index) and looking
    # up each one's case; the IN makes it look up each case's follow-ups instead.
    return _open().where(FollowUp.case_id.in_(cases), _unassigned())


def theirs(user: User) -> list[Arm]:
    """The open follow-ups that are ``user``'s, as disjoint arms (see the module)."""
    groups = sa.select(user_group_members.c.group_id).where(user_group_members.c.user_id == user.id)
    return [
        _open().where(FollowUp.assignee_user_id == user.id),
        _open().where(FollowUp.assignee_group_id.in_(groups)),
        _in_cases(sa.select(Case.id).where(Case.officer_id == user.id)),
    ]


def registry_queue() -> list[Arm]:
    """The open follow-ups nobody is responsible for (``services.in_registry_queue``)."""
    gone = sa.select(User.id).where(sa.not_(User.active))
    return [
        _in_cases(sa.select(Case.id).where(Case.officer_id.is_(None))),
        _in_cases(sa.select(Case.id).where(Case.officer_id.in_(gone))),
    ]


def of_cases(*, officer_id: int | None = None, programme_id: int | None = None) -> list[Arm]:
    """The open follow-ups of the cases of an officer and/or a programme, whoever has them."""
    cases = sa.select(Case.id)
    if officer_id:
        cases = cases.where(Case.officer_id == officer_id)
    if programme_id:
        cases = cases.where(Case.programme_id == programme_id)
    return [_open().where(FollowUp.case_id.in_(cases))]


def _union(arms: list[Arm]):
    return sa.union_all(*arms).subquery("fu") if len(arms) > 1 else arms[0].subquery("fu")


# ------------------------------------------------------------------ counts


@dataclass(frozen=True)
class Counts:
    """The navigation's count: open follow-ups overdue and due today."""

    overdue: int = 0
    today: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.today


def open_counts(user: User, today: date, *, with_queue: bool = False) -> Counts:
    """``user``'s open follow-ups overdue and due today (and the registry queue's, with
    ``with_queue``): one statement, each arm a range of its own index up to ``today``."""
    arms = theirs(user) + (registry_queue() if with_queue else [])
    fu = _union([arm.where(FollowUp.due <= today) for arm in arms])
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(fu.c.due < today),
            sa.func.count().filter(fu.c.due == today),
        )
    ).one()
    return Counts(overdue=row[0] or 0, today=row[1] or 0)


@dataclass(frozen=True)
class Totals:
    """How many open follow-ups a list holds in each part of the calendar."""

    overdue: int = 0
    today: int = 0
    this_week: int = 0
    later: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.this_week + self.later


def week_end(today: date) -> date:
    """The Sunday that ends ``today``'s week: "later this week" runs to it."""
    return today + timedelta(days=6 - today.weekday())


def totals(arms: list[Arm], today: date) -> Totals:
    """The list's follow-ups counted by part of the calendar, in one statement (read from
    the indexes: the due date is in each of them)."""
    fu = _union(arms)
    sunday = week_end(today)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(fu.c.due < today),
            sa.func.count().filter(fu.c.due == today),
            sa.func.count().filter(fu.c.due > today, fu.c.due <= sunday),
            sa.func.count().filter(fu.c.due > sunday),
        )
    ).one()
    return Totals(*(n or 0 for n in row))


def part_of(due: date, today: date) -> str:
    """Which part of the calendar a due date is in: the keys of ``Totals``."""
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    return "this_week" if due <= week_end(today) else "later"


# ------------------------------------------------------------------ pages


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and whether more follow the last of them."""

    rows: list[FollowUp]
    more: bool

    @property
    def last_id(self) -> int | None:
        return self.rows[-1].id if self.rows else None


def position(fu_id: int) -> tuple[date, int] | None:
    """Where the follow-up ``fu_id`` stands in a list (its due date and id), or None if
    there is no such follow-up: a page starts after it."""
    due = db.session.scalar(sa.select(FollowUp.due).where(FollowUp.id == fu_id))
    return None if due is None else (due, fu_id)


def page(arms: list[Arm], *, after: tuple[date, int] | None, size: int) -> Page:
    """The ``size`` follow-ups of the list that come after ``after`` by (due, id), with
    their cases, officers, assignees and documents: a fixed number of statements whatever
    the size.

    The arms are not ordered and cut one by one: given ORDER BY and LIMIT, SQLite walks the
    status and due index in order, testing every open follow-up against the arm (all of
    them, for an arm that holds none). Unordered, each arm reads its own index range; the
    merge sorts what is left after ``after`` of one person's list, read from the indexes.
    """
    if after is not None:
        arms = [arm.where(sa.tuple_(FollowUp.due, FollowUp.id) > sa.tuple_(*after)) for arm in arms]
    fu = _union(arms)
    # The page's ids first, from the indexes; only then its rows (else every row of the
    # list would be fetched to be sorted).
    ids = sa.select(fu.c.id).order_by(fu.c.due, fu.c.id).limit(size + 1)
    rows = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.id.in_(ids))
        .options(
            selectinload(FollowUp.case).selectinload(Case.officer),
            selectinload(FollowUp.assignee_user),
            selectinload(FollowUp.assignee_group),
            # Whether its document is confidential decides what the page may show.
            selectinload(FollowUp.document),
        )
        .order_by(FollowUp.due, FollowUp.id)
    ).all()
    return Page(rows=list(rows[:size]), more=len(rows) > size)
