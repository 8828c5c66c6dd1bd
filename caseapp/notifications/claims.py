"""Claiming outbox rows for one worker, and keeping the claim while the batch is sent.

Several workers may run at once (on several machines). A row is claimed by one worker with
a single conditional UPDATE: on PostgreSQL its candidate rows are picked with
``FOR UPDATE SKIP LOCKED`` so workers never wait for each other; on SQLite the statement
runs under the database's one write lock. Either way the claim is ``queued → sending`` with
the worker's claim token and time, and only the claimant records the result. A claim whose
worker died is taken over after ``NOTIFY_LEASE_SECONDS`` — unless that worker had handed
the row's message to the SMTP server and died before it recorded the answer
(``Notification.handed_at`` still set): that row may have been delivered, so it is reported
as uncertain (``report_uncertain``), never sent again by a worker.
"""

import time
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from caseapp.extensions import db
from caseapp.notifications.models import (
    AttemptResult,
    DeliveryAttempt,
    Notification,
    NotificationStatus,
)

N = Notification


def _due(now: datetime, lease: timedelta):
    return sa.or_(
        sa.and_(N.status == NotificationStatus.QUEUED, N.next_attempt_at <= now),
        sa.and_(
            N.status == NotificationStatus.SENDING,
            N.claimed_at < now - lease,
            N.handed_at.is_(None),
        ),
    )


def report_uncertain(worker_id: str, *, now: datetime, lease: timedelta) -> list[int]:
    """Mark uncertain the rows of lapsed claims whose message was handed to the server with
    no answer recorded, each with an attempt saying so, in the caller's transaction.

    Guarantees: such a row is never claimed again (an admin resends it or marks it
    delivered); each gets exactly one such attempt, however many workers look at once (the
    update is conditional, and only the worker whose update took the row records it).
    """
    abandoned = sa.select(N.id, N.claimed_by, N.handed_at).where(
        N.status == NotificationStatus.SENDING,
        N.claimed_at < now - lease,
        N.handed_at.is_not(None),
    )
    if db.engine.dialect.name == "postgresql":
        abandoned = abandoned.with_for_update(skip_locked=True)
    reported = []
    for nid, dead_worker, handed_at in db.session.execute(abandoned.order_by(N.id)).all():
        took = db.session.execute(
            sa.update(N)
            .where(N.id == nid, N.status == NotificationStatus.SENDING, N.handed_at.is_not(None))
            .values(
                status=NotificationStatus.UNCERTAIN,
                claimed_by=None,
                claimed_at=None,
                handed_at=None,
                attempts=N.attempts + 1,
                last_error="handed to the SMTP server, no answer recorded: may have been delivered",
            )
            .execution_options(synchronize_session=False)
        )
        if took.rowcount != 1:
            continue  # another worker reported it just now
        db.session.add(
            DeliveryAttempt(
                notification_id=nid,
                at=handed_at,
                worker=(dead_worker or "").split("/")[0] or worker_id,
                result=AttemptResult.UNCERTAIN,
                error=f"no answer recorded; found by {worker_id}",
            )
        )
        reported.append(nid)
    db.session.flush()
    return reported


def claim(worker_id: str, *, now: datetime, limit: int) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows for this worker and commit the claim (with the
    report of any uncertain rows a dead worker left, ``report_uncertain``).

    Returns the claim token and the claimed ids. No other worker can claim the same rows
    until this claim's lease has passed.
    """
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    token = f"{worker_id}/{uuid.uuid4().hex[:12]}"
    report_uncertain(worker_id, now=now, lease=lease)
    candidates = (
        sa.select(N.id).where(_due(now, lease)).order_by(N.next_attempt_at, N.id).limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # A CTE, not "id IN (subquery)": PostgreSQL may run an IN-subquery with LIMIT … SKIP
    # LOCKED more than once and claim more rows than asked for.
    claimable = candidates.cte("claimable")
    stmt = (
        sa.update(N)
        .where(N.id == claimable.c.id, _due(now, lease))
        .values(status=NotificationStatus.SENDING, claimed_by=token, claimed_at=now)
        .returning(N.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(db.session.scalars(stmt).all())
    db.session.commit()
    return token, ids


def release(token: str) -> None:
    """Give the rows of a claim that were not sent back to the queue (a worker stopping)."""
    db.session.execute(
        sa.update(N)
        .where(N.claimed_by == token, N.status == NotificationStatus.SENDING)
        .values(status=NotificationStatus.QUEUED, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class LeaseKeeper:
    """Keeps a batch's claim alive while it is being sent.

    A slow SMTP server can make a batch take longer than the lease; other workers would
    then take its rows over and send them twice. So the claim of the rows still to be sent
    is renewed a few times per lease period (in the transaction of the row being sent), and
    a row whose claim was lost anyway (a stall longer than the lease) is skipped. The
    renewal clock is the run's clock advanced by the real time spent, so a run with a set
    clock (``--now``) stays consistent with itself.
    """

    def __init__(self, token: str, now: datetime) -> None:
        self.token = token
        self.now = now
        self.started = time.monotonic()
        self.renew_every = current_app.config["NOTIFY_LEASE_SECONDS"] / 3
        self.renewed = 0.0
        self.owned: set[int] | None = None

    def still_ours(self, nid: int) -> bool:
        elapsed = time.monotonic() - self.started
        if self.owned is None or elapsed - self.renewed >= self.renew_every:
            self.renewed = elapsed
            self.owned = set(
                db.session.scalars(
                    sa.update(N)
                    .where(N.claimed_by == self.token, N.status == NotificationStatus.SENDING)
                    .values(claimed_at=self.now + timedelta(seconds=elapsed))
                    .returning(N.id)
                    .execution_options(synchronize_session=False)
                )
            )
        return nid in self.owned
