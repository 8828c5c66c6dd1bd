"""Writing the outbox: every mail the system owes somebody is a row, never a send.

Rows are added to the caller's transaction, so they commit with the change that caused them
or vanish with it. Only the worker (``caseapp worker``) talks to an SMTP server.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.notifications.models import (
    COMPOSED_WHEN_QUEUED,
    Notification,
    NotificationKind,
    NotificationStatus,
)

# CR and LF end a header; the others would let a value smuggle in a line break or hide text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def clean_header_text(value: str | None, limit: int = 900) -> str:
    """A value safe for one header line: control characters (CR/LF above all) become spaces."""
    return " ".join(_UNSAFE.sub(" ", str(value or "")).split())[:limit]


def checked_address(value: str | None) -> str:
    """``value`` as one plain addr-spec, or ServiceError: line breaks, several addresses,
    display names or anything else a mail header could be tricked with are refused."""
    value = (value or "").strip()
    if not value or _UNSAFE.search(value) or any(c in value for c in '<>,;" '):
        raise ServiceError(N_("Not a usable e-mail address: %(address)r."), address=value)
    try:
        addr = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise ServiceError(N_("Not a usable e-mail address: %(address)r."), address=value) from exc
    if not addr.username or "." not in addr.domain or addr.addr_spec != value:
        raise ServiceError(N_("Not a usable e-mail address: %(address)r."), address=value)
    return value


def insert_ignoring_conflicts(table: sa.Table):
    """An INSERT that skips rows violating a unique constraint (ON CONFLICT DO NOTHING)."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def enqueue(
    *,
    kind: NotificationKind,
    recipient_email: str,
    recipient_name: str | None = None,
    language: str = "sv",
    case_id: int | None = None,
    document_id: int | None = None,
    followup_id: int | None = None,
    reminder_id: int | None = None,
    subscription_id: int | None = None,
    digest_date: date | None = None,
    not_before: datetime | None = None,
) -> Notification:
    """Add one queued notification to the current transaction and return it (flushed).

    The address is checked (one addr-spec, no line breaks); the name is cleaned of control
    characters. Nothing is sent here.
    """
    n = Notification(
        kind=NotificationKind(kind),
        status=NotificationStatus.QUEUED,
        recipient_email=checked_address(recipient_email),
        recipient_name=clean_header_text(recipient_name, 300) or None,
        language=language if language in ("sv", "en") else "sv",
        case_id=case_id,
        document_id=document_id,
        followup_id=followup_id,
        reminder_id=reminder_id,
        subscription_id=subscription_id,
        digest_date=digest_date,
        attempts=0,
        next_attempt_at=not_before or utcnow(),
    )
    db.session.add(n)
    db.session.flush()
    return n


def resend(n: Notification, *, actor: User | None) -> Notification:
    """Queue a failed (or delivered) notification again, now, with a fresh set of retries.

    The same row, the same Message-ID: a recipient who got it before can tell it is the same
    message. Its text is composed again when it is sent (as at every attempt), so it says
    what may be said now: a document marked confidential since is masked, a digest lists
    the day's documents as they stand (a cancelled one no longer). A withdrawn notice, and a
    notice of a cancelled document, are never sent again (ServiceError). The earlier
    attempts stay on record; the resend is audited.
    """
    if n.status in (NotificationStatus.QUEUED, NotificationStatus.SENDING):
        raise ServiceError(N_("The notification is waiting to be sent already."))
    of_cancelled = n.kind == NotificationKind.REGISTRATION and n.document.is_cancelled
    if n.status == NotificationStatus.WITHDRAWN or of_cancelled:
        raise ServiceError(N_("The document was cancelled: its notice is not sent again."))
    if n.kind in COMPOSED_WHEN_QUEUED:
        raise ServiceError(
            N_("A password-reset link is not sent again: send a new one from the user's page.")
        )
    before = {"status": n.status.value, "attempts": n.attempts}
    # The old text is not what will be sent: it is composed again at the attempt.
    n.subject = n.body_text = n.body_html = None
    n.status = NotificationStatus.QUEUED
    n.attempts = 0
    n.next_attempt_at = utcnow()
    n.claimed_by = None
    n.claimed_at = None
    n.handed_at = None
    db.session.flush()
    record(
        "resend",
        n,
        actor=actor,
        case_id=n.case_id,
        summary=n.recipient_email,
        before=before,
        after={"status": n.status.value},
    )
    return n


def mark_delivered(n: Notification, *, actor: User | None) -> Notification:
    """Record that an uncertain notice did reach its recipient (an admin asked them, or
    found it in the receiving server's log), so that it is not resent. Only an uncertain
    notice can be marked so (ServiceError otherwise); audited."""
    if n.status != NotificationStatus.UNCERTAIN:
        raise ServiceError(N_("Only a notice whose delivery is uncertain can be marked delivered."))
    n.status = NotificationStatus.DELIVERED
    n.delivered_at = utcnow()
    n.last_error = None
    db.session.flush()
    record(
        "mark_delivered",
        n,
        actor=actor,
        case_id=n.case_id,
        summary=n.recipient_email,
        before={"status": NotificationStatus.UNCERTAIN.value},
        after={"status": n.status.value},
    )
    return n


def case_notifications_select(case_id: int) -> sa.Select:
    """The notifications about a case, newest first, as a statement to page through (the
    case's notices section)."""
    return (
        sa.select(Notification)
        .where(Notification.case_id == case_id)
        .order_by(Notification.id.desc())
    )


def case_notifications(case_id: int, limit: int = 200) -> list[Notification]:
    """The notifications about a case, newest first, at most ``limit``."""
    return list(db.session.scalars(case_notifications_select(case_id).limit(limit)))


def follow_moved_documents(_sender=None, *, documents, to_case: Case, **_kwargs) -> dict:
    """Receiver of ``document_moved``: the notices about the moved documents and about the
    follow-ups made from them belong to the case they are in now. Their status is
    untouched: one sent stays sent, one queued is still sent."""
    ids = [d.id for d in documents]
    followups = sa.select(FollowUp.id).where(FollowUp.document_id.in_(ids))
    db.session.execute(
        sa.update(Notification)
        .where(sa.or_(Notification.document_id.in_(ids), Notification.followup_id.in_(followups)))
        .values(case_id=to_case.id),
        execution_options={"synchronize_session": "fetch"},
    )
    return {}


# ------------------------------------------------------------------ the outbox page

#: The outbox counts its rows up to this many; beyond, the page says "more than".
COUNT_UP_TO = 10_000


@dataclass(frozen=True)
class Listing:
    """A page of the outbox, newest first, and how many rows the list holds."""

    rows: list[Notification]
    more: bool
    total: int  # exact up to COUNT_UP_TO
    total_capped: bool  # the list holds more than COUNT_UP_TO


def listing(*, status: str | None, before: int | None, size: int) -> Listing:
    """The ``size`` notices (of ``status``, if given) newer-first before the id ``before``:
    keyset by id, so a page deep in a long outbox costs what the first does. The total is
    counted up to ``COUNT_UP_TO`` (a year of notices is hundreds of thousands of rows;
    counting them all on every page would cost more than the page)."""
    where = [Notification.status == NotificationStatus(status)] if status else []
    stmt = sa.select(Notification).where(*where)
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = db.session.scalars(stmt.order_by(Notification.id.desc()).limit(size + 1)).all()
    capped = sa.select(Notification.id).where(*where).limit(COUNT_UP_TO + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(capped))
    return Listing(
        rows=list(rows[:size]),
        more=len(rows) > size,
        total=min(total, COUNT_UP_TO),
        total_capped=total > COUNT_UP_TO,
    )


def failed_count() -> int:
    """Notices that failed and wait for an administrator (the status index's entries)."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.status == NotificationStatus.FAILED
        )
    )
