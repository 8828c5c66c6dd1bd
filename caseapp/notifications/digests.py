"""Daily digests: what one lists, and queueing them once per subscription and day."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.documents.models import Document
from caseapp.documents.queries import STANDING
from caseapp.extensions import db
from caseapp.notifications.coverage import subscription_case_filter
from caseapp.notifications.models import (
    Notification,
    NotificationKind,
    Subscription,
    SubscriptionMode,
)
from caseapp.notifications.outbox import insert_ignoring_conflicts
from caseapp.timeutil import STOCKHOLM, local_day_bounds


def _digest_select(sub: Subscription, day: date):
    start, end = local_day_bounds(day)
    return (
        sa.select(Document)
        .join(Case, Document.case_id == Case.id)
        .where(
            Document.registered_at >= start,
            Document.registered_at < end,
            # A cancelled document is no news; a moved one is listed under its new number.
            STANDING,
            Document.direction.in_(sorted(sub.directions)),
            subscription_case_filter(sub),
        )
    )


def digest_documents(sub: Subscription, day: date) -> list[Document]:
    """The documents a digest of ``sub`` for ``day`` (Stockholm) lists, in number order:
    registered that day in a case it covers, of a direction it covers, not cancelled, each
    once (a document moved that day under its new number)."""
    stmt = _digest_select(sub, day).order_by(Case.number, Document.seq)
    return list(db.session.scalars(stmt))


def queue_digests(now: datetime) -> int:
    """Queue the daily digest of the previous Stockholm day for every active daily
    subscription that has something to report (``digest_documents``), but none for a
    deactivated user; returns how many were queued.

    Idempotent per subscription and day: the unique (subscription_id, digest_date) on the
    outbox means a second run — or one on another machine at the same moment — adds nothing.
    """
    day: date = now.astimezone(STOCKHOLM).date() - timedelta(days=1)
    subs = db.session.scalars(
        sa.select(Subscription).where(
            Subscription.active.is_(True),
            Subscription.mode == SubscriptionMode.DAILY,
            Subscription.of_active_subscriber(),
        )
    ).all()
    queued = 0
    for sub in subs:
        has_news = db.session.scalar(sa.select(_digest_select(sub, day).exists()))
        if not has_news:
            continue
        result = db.session.execute(
            insert_ignoring_conflicts(Notification.__table__)
            .values(
                kind=NotificationKind.DIGEST.value,
                status="queued",
                recipient_email=sub.recipient_email,
                recipient_name=sub.recipient_name,
                language=sub.language,
                case_id=sub.case_id,
                subscription_id=sub.id,
                digest_date=day,
                attempts=0,
                next_attempt_at=now,
                created_at=utcnow(),
            )
            .returning(Notification.__table__.c.id)
        )
        queued += len(result.all())
    return queued
