"""Need-to-know: who reads a confidential case or document in full.

This is the one rule; pages ask ``can_read`` and show the masked view when it says no.
A record is confidential when its case is marked so, or (a document) it is marked so
itself. Such a record is read in full by the case officer, registrars, admins and the
users and groups on the case's access list (``CaseAccess``); everyone else sees only its
number, dates, direction and public title. Asking about a confidential record marks the
response as not to be stored (``Cache-Control: no-store``, see ``cases.views``), so a page
that shows one cannot forget it.

Records are taken by their shape (a case, or anything with ``case`` and ``confidential``)
because documents and follow-ups live in packages that import this one.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _

from caseapp.audit.services import record
from caseapp.auth.models import Role, User
from caseapp.cases.models import Case, CaseAccess
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db

# Registrars and admins keep the registry: they read every record.
FULL_READERS = frozenset({Role.REGISTRAR, Role.ADMIN})

# The follow-up groups' tables, named rather than imported (see the docstring).
_members = sa.table("user_group_members", sa.column("group_id"), sa.column("user_id"))
_groups = sa.table("user_groups", sa.column("id"), sa.column("name"))


def _case_of(rec) -> Case:
    return rec if isinstance(rec, Case) else rec.case


def is_confidential(rec) -> bool:
    """A case marked confidential, or a document marked so or in a confidential case."""
    case = _case_of(rec)
    return bool(case.confidential or (rec is not case and rec.confidential))


def _granted(user: User):
    """Access-list rows that name ``user``, directly or through a group."""
    groups = sa.select(_members.c.group_id).where(_members.c.user_id == user.id)
    return sa.or_(CaseAccess.user_id == user.id, CaseAccess.group_id.in_(groups))


def _known() -> dict[tuple[int, int], bool]:
    # One answer per user and case per request: a list asks about many records of a case.
    if not has_request_context():
        return {}
    if "need_to_know" not in g:
        g.need_to_know = {}
    return g.need_to_know


def need_to_know(user, case: Case) -> bool:
    """``user`` may read ``case`` and all its documents in full, confidential or not."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in FULL_READERS or case.officer_id == user.id:
        return True
    known = _known()
    key = (user.id, case.id)
    if key not in known:
        known[key] = bool(
            db.session.scalar(
                sa.select(sa.exists().where(CaseAccess.case_id == case.id, _granted(user)))
            )
        )
    return known[key]


def know_cases(user, cases) -> None:
    """Answer ``need_to_know`` for all of ``cases`` at once, in one query: for a list that
    shows records of many cases (the answers are kept for the request)."""
    if not getattr(user, "is_authenticated", False) or user.role in FULL_READERS:
        return
    known = _known()
    ask = {c.id for c in cases if c.officer_id != user.id and (user.id, c.id) not in known}
    if not ask or not has_request_context():
        return
    granted = set(
        db.session.scalars(
            sa.select(CaseAccess.case_id).where(CaseAccess.case_id.in_(ask), _granted(user))
        )
    )
    for case_id in ask:
        known[(user.id, case_id)] = case_id in granted


def can_read(user, rec) -> bool:
    """``user`` may see ``rec`` (a case or a document) in full: subject, body, parties,
    files. A confidential record marks the response not to be stored, whatever the answer."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not is_confidential(rec):
        return True
    if has_request_context():
        g.shows_confidential = True
    return need_to_know(user, _case_of(rec))


def can_read_all(user, case: Case, *, confidential_documents: bool) -> bool:
    """``user`` may read ``case`` and every document of it in full (what its history names);
    ``confidential_documents``: a document of the case is marked confidential itself. Like
    ``can_read``, marks the response not to be stored when anything is confidential."""
    if not can_read(user, case):
        return False
    if not confidential_documents:
        return True
    if has_request_context():
        g.shows_confidential = True
    return need_to_know(user, case)


def readable_cases(user):
    """A condition on ``Case``: the cases whose title and description ``user`` may read (for
    a search, which must not find a confidential case by what it hides)."""
    if user.role in FULL_READERS:
        return sa.true()
    return sa.or_(Case.confidential.is_(False), _listed_or_officer(user))


def narrowed_by_need_to_know(user):
    """A condition on ``Case``: ``user`` reads the case and all its documents in full (the
    SQL form of ``need_to_know``), for a list that leaves out, unsaid, what ``user`` may not
    see: such a page differs by who asks, so the response is not to be stored."""
    if user.role in FULL_READERS:
        return sa.true()
    if has_request_context():
        g.shows_confidential = True
    return _listed_or_officer(user)


def _listed_or_officer(user):
    """Cases ``user`` is officer of or on the access list of."""
    listed = sa.select(CaseAccess.case_id).where(_granted(user))
    return sa.or_(Case.officer_id == user.id, Case.id.in_(listed))


# ---------------------------------------------------------------- what the masked view shows


def case_title(user, case: Case) -> str:
    if can_read(user, case):
        return case.title
    return case.public_title or _("Confidential case")


def document_title(user, doc) -> str:
    if can_read(user, doc):
        return doc.subject
    return doc.public_title or _("Confidential document")


# ---------------------------------------------------------------- the access list


def can_manage_access(user, case: Case) -> bool:
    """The case officer, registrars and admins keep a case's access list."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in FULL_READERS or case.officer_id == user.id


@dataclass(frozen=True)
class AccessLine:
    """One line of the access list as a page shows it."""

    id: int
    name: str
    is_group: bool


def access_list(case: Case) -> list[AccessLine]:
    """The case's access list, users and groups by name, in the order they were given it."""
    rows = db.session.execute(
        sa.select(CaseAccess.id, sa.func.coalesce(User.name, _groups.c.name), CaseAccess.group_id)
        .outerjoin(User, CaseAccess.user_id == User.id)
        .outerjoin(_groups, CaseAccess.group_id == _groups.c.id)
        .where(CaseAccess.case_id == case.id)
        .order_by(CaseAccess.id)
    )
    return [AccessLine(i, name, group_id is not None) for i, name, group_id in rows]


def grant_access(
    case: Case, *, actor: User | None, user: User | None = None, group=None
) -> CaseAccess:
    """Put a user or a group (exactly one; a follow-up ``UserGroup``) on the case's access
    list, audited. Refuses a grantee already on the list; the audit row names who.
    """
    if (user is None) == (group is None):
        raise ValueError("grant access to a user or a group")
    taken = CaseAccess.user_id == user.id if user else CaseAccess.group_id == group.id
    if db.session.scalar(sa.select(CaseAccess.id).where(CaseAccess.case_id == case.id, taken)):
        raise ServiceError(
            N_("%(name)s has access already."), field="grantee", name=(user or group).name
        )
    entry = CaseAccess(
        case_id=case.id, user=user, group_id=group.id if group else None, granted_by=actor
    )
    db.session.add(entry)
    db.session.flush()
    who = {"access_user": user.email} if user else {"access_group": group.name}
    record("grant_access", case, actor=actor, case_id=case.id, summary=case.number, after=who)
    _known().clear()
    return entry


def revoke_access(entry: CaseAccess, *, actor: User | None) -> None:
    """Take a user or group off the access list, audited."""
    case_id = entry.case_id
    if entry.user is not None:
        who = {"access_user": entry.user.email}
    else:
        name = db.session.scalar(sa.select(_groups.c.name).where(_groups.c.id == entry.group_id))
        who = {"access_group": name}
    case = db.session.get(Case, case_id)
    db.session.delete(entry)
    db.session.flush()
    record("revoke_access", case, actor=actor, case_id=case_id, summary=case.number, before=who)
    _known().clear()
