"""Cancelling a document (makulera) withdraws the notices not yet sent and corrects the sent.

``on_document_cancelled`` receives ``document_cancelled`` inside the cancelling transaction,
so all of it commits with the cancel or not at all:

- a registration notice of the document still waiting (queued, or claimed by a worker that
  has not sent it yet) is withdrawn: a terminal status, never sent after;
- a digest still waiting that was composed with the document in it is composed again
  (without it) when it is next sent;
- everybody already told of the document (a delivered registration notice, or a digest that
  listed it) gets one cancellation notice per address, whatever number of notices told them.

A worker that was handing a notice to the SMTP server at the moment of the cancel notices the
withdrawal when it records the result (``worker._record``) and, if the notice went out,
queues the cancellation notice itself; the unique index on (document, recipient) of
cancellation notices keeps that to one.
"""

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.db import utcnow
from caseapp.documents.models import Document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications.coverage import covers_case, covers_direction
from caseapp.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    Subscription,
)
from caseapp.notifications.outbox import checked_address, insert_ignoring_conflicts
from caseapp.timeutil import STOCKHOLM

log = logging.getLogger(__name__)

N = Notification
S = NotificationStatus
#: The states in which a notice has reached its recipient (or the development catcher).
TOLD = (S.DELIVERED, S.CAUGHT)


@dataclass(frozen=True)
class Recipient:
    """Somebody a notice about a document reached, as the cancellation notice addresses them."""

    email: str
    name: str | None
    language: str
    subscription_id: int | None

    @classmethod
    def of(cls, n: Notification) -> "Recipient":
        return cls(n.recipient_email, n.recipient_name, n.language, n.subscription_id)


@dataclass
class Withdrawal:
    withdrawn: list[int]  # registration notices that will never be sent
    recomposed: list[int]  # waiting digests that will be composed again without the document
    corrections: list[int]  # cancellation notices queued


def on_document_cancelled(_sender=None, *, document: Document, actor=None, **_kwargs) -> None:
    """Receiver of ``document_cancelled``: see ``withdraw_notices``."""
    withdraw_notices(document, actor=actor)


def withdraw_notices(document: Document, *, actor: User | None) -> Withdrawal:
    """Withdraw the waiting notices of the cancelled ``document`` and queue a cancellation
    notice for every address already told of it, in the caller's transaction.

    Guarantees: no registration notice of the document is sent after this commits; no digest
    composed after it lists the document; every address that got a notice of it gets exactly
    one cancellation notice (ever: calling this again queues no second one). Audited (the
    rows withdrawn and the notices queued) when it changed anything.
    """
    withdrawn = _withdraw_waiting(document)
    recomposed = _recompose_waiting_digests(document)
    corrections = [nid for r in told(document) if (nid := queue_correction(document, r))]
    if withdrawn or recomposed or corrections:
        record(
            "withdraw_notices",
            document,
            actor=actor,
            case_id=document.case_id,
            summary=document.number,
            # Counts, not row ids: the history is read by people, and the outbox lists the rows.
            after={
                key: len(rows)
                for key, rows in (
                    ("withdrawn", withdrawn),
                    ("recomposed", recomposed),
                    ("corrections", corrections),
                )
                if rows
            },
        )
    return Withdrawal(withdrawn, recomposed, corrections)


def _withdraw_waiting(document: Document) -> list[int]:
    # A claimed row (sending) is withdrawn too: its worker checks the row just before it
    # sends, and again, under a lock, when it records what happened.
    stmt = (
        sa.update(N)
        .where(
            N.document_id == document.id,
            N.kind == NotificationKind.REGISTRATION,
            N.status.in_([S.QUEUED, S.SENDING]),
        )
        .values(status=S.WITHDRAWN, claimed_by=None, claimed_at=None)
        .returning(N.id)
        .execution_options(synchronize_session="fetch")
    )
    return sorted(db.session.scalars(stmt).all())


def _digests_of(document: Document):
    """The digests whose list would hold ``document``: of its Stockholm registration day, for
    a subscription whose target includes its case and which covers its direction."""
    day = document.registered_at.astimezone(STOCKHOLM).date()
    return (
        sa.select(N)
        .join(Subscription, N.subscription_id == Subscription.id)
        .where(
            N.kind == NotificationKind.DIGEST,
            N.digest_date == day,
            covers_case(document.case),
            covers_direction(document.direction),
        )
    )


def _recompose_waiting_digests(document: Document) -> list[int]:
    # Composed on an earlier attempt (a retry is waiting) with the document in it: nobody has
    # read that text, and the next attempt composes afresh, without the document; it is
    # dropped now so that the outbox never shows it as what will be sent.
    waiting = (
        _digests_of(document)
        .where(N.status == S.QUEUED, N.subject.is_not(None))
        .with_only_columns(N.id)
    )
    ids = list(db.session.scalars(waiting))
    if ids:
        db.session.execute(
            sa.update(N)
            .where(N.id.in_(ids), N.status == S.QUEUED)
            .values(subject=None, body_text=None, body_html=None)
            .execution_options(synchronize_session="fetch")
        )
    return sorted(ids)


def told(document: Document) -> list[Recipient]:
    """The addresses a notice of ``document`` reached, each once (registration notices first,
    then digests), as their first notice addressed them."""
    notices = db.session.scalars(
        sa.select(N)
        .where(
            N.document_id == document.id,
            N.kind == NotificationKind.REGISTRATION,
            N.status.in_(TOLD),
        )
        .order_by(N.id)
        .execution_options(populate_existing=True)
    ).all()
    # The digests are locked (PostgreSQL; SQLite's one writer is this transaction already),
    # so a worker recording one now is wholly before this read or after the cancel's commit,
    # where it finds the document cancelled and corrects it itself. A digest being sent again
    # (a retry: composed before, and composed anew for this attempt, maybe before the
    # cancel) may have the document in it: it counts as told.
    # Every digest of the day is locked, whatever its state: a row the lock skipped (one that
    # did not match a condition when the statement began) would escape the ordering.
    digests = [
        n
        for n in db.session.scalars(
            _digests_of(document)
            .order_by(N.id)
            .with_for_update(of=N)
            .execution_options(populate_existing=True)
        )
        if n.status in TOLD or (n.status == S.SENDING and n.subject is not None)
    ]
    seen: dict[str, Recipient] = {}
    for n in [*notices, *digests]:
        seen.setdefault(n.recipient_email.lower(), Recipient.of(n))
    return list(seen.values())


def queue_correction(document: Document, recipient: Recipient) -> int | None:
    """Queue the cancellation notice of ``document`` for ``recipient``, unless one is queued
    already (for that address, in any letter case): returns the new row's id, or None."""
    try:
        address = checked_address(recipient.email.lower())
    except ServiceError:
        log.warning("no cancellation notice to unusable address %r", recipient.email)
        return None
    now = utcnow()
    stmt = (
        insert_ignoring_conflicts(N.__table__)
        .values(
            kind=NotificationKind.CORRECTION.value,
            status=S.QUEUED.value,
            recipient_email=address,
            recipient_name=recipient.name,
            language=recipient.language,
            case_id=document.case_id,
            document_id=document.id,
            subscription_id=recipient.subscription_id,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .returning(N.__table__.c.id)
    )
    return db.session.scalar(stmt)


def correct_after_sending(n: Notification, listed: list[int]) -> list[int]:
    """For a worker that has just delivered ``n``: queue the cancellation notices that a
    cancel committed while ``n`` was being sent could not know of.

    ``listed``: the documents ``n`` told of (its document, or a digest's list). Call it in
    the transaction that records the delivery, after locking the row.
    """
    if not listed:
        return []
    cancelled = db.session.scalars(
        sa.select(Document).where(Document.id.in_(listed), Document.cancelled_at.is_not(None))
    ).all()
    queued = [queue_correction(doc, Recipient.of(n)) for doc in cancelled]
    return [nid for nid in queued if nid]
