"""Whether notices are flowing: the workers' heartbeat, and what the outbox page says of it.

A worker writes its row when it starts, at most every ``NOTIFY_HEARTBEAT_SECONDS`` while it
runs (an UPDATE of one row and a commit: nothing on the paths that send), and when it stops
cleanly. ``delivery_health`` reads the rows and the outbox in three small indexed queries.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from caseapp.db import utcnow
from caseapp.extensions import db
from caseapp.notifications.models import Notification, NotificationStatus, WorkerHeartbeat

H = WorkerHeartbeat
# Rows of workers gone this long are removed when a worker starts (one row per process).
FORGET_AFTER = timedelta(days=7)


class Heartbeat:
    """One worker's heartbeat. Each write commits on its own: call it only where the
    session has nothing else pending (between rows, between batches, while idle)."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.every = float(current_app.config.get("NOTIFY_HEARTBEAT_SECONDS", 10))
        self._last: float | None = None

    def start(self) -> None:
        now = utcnow()
        db.session.execute(
            sa.delete(H).where(sa.or_(H.worker == self.worker, H.seen_at < now - FORGET_AFTER))
        )
        db.session.add(H(worker=self.worker, started_at=now, seen_at=now))
        db.session.commit()
        self._last = time.monotonic()

    def beat(self) -> bool:
        """Write that the worker is alive, unless it did so less than ``every`` seconds ago;
        returns whether it wrote."""
        if self._last is not None and time.monotonic() - self._last < self.every:
            return False
        seen = db.session.execute(
            sa.update(H)
            .where(H.worker == self.worker)
            .values(seen_at=utcnow(), stopped_at=None)
            .returning(H.worker)
        ).first()
        if seen is None:  # removed meanwhile (an administrator tidied up): write it again
            now = utcnow()
            db.session.add(H(worker=self.worker, started_at=now, seen_at=now))
        db.session.commit()
        self._last = time.monotonic()
        return True

    def stop(self) -> None:
        now = utcnow()
        db.session.execute(
            sa.update(H).where(H.worker == self.worker).values(seen_at=now, stopped_at=now)
        )
        db.session.commit()


@dataclass(frozen=True)
class DeliveryHealth:
    """What the outbox page tells an administrator about delivery."""

    last_seen: datetime | None  # the latest sign of life of any worker (None: never)
    stopped_at: datetime | None  # when that worker stopped cleanly, if it did
    worker_running: bool  # some worker was seen within NOTIFY_WORKER_STALE_SECONDS
    overdue: int  # notices due for longer than NOTIFY_OVERDUE_SECONDS
    oldest_due: datetime | None  # since when the oldest of them has been due
    overdue_minutes: int


def delivery_health(now: datetime | None = None) -> DeliveryHealth:
    """Whether a worker is running and whether notices wait longer than they should.

    A worker counts as running when one was seen within ``NOTIFY_WORKER_STALE_SECONDS``
    and did not stop; a notice is overdue when it has been due (queued, its next attempt
    in the past) for more than ``NOTIFY_OVERDUE_SECONDS`` — one waiting for a retry later
    is not.
    """
    now = now or utcnow()
    config = current_app.config
    stale = timedelta(seconds=float(config.get("NOTIFY_WORKER_STALE_SECONDS", 120)))
    overdue_after = timedelta(seconds=float(config.get("NOTIFY_OVERDUE_SECONDS", 600)))
    latest = db.session.execute(
        sa.select(H.seen_at, H.stopped_at).order_by(H.seen_at.desc()).limit(1)
    ).first()
    running = db.session.scalar(
        sa.select(sa.literal(1)).where(H.seen_at >= now - stale, H.stopped_at.is_(None)).limit(1)
    )
    count, oldest = db.session.execute(
        sa.select(sa.func.count(Notification.id), sa.func.min(Notification.next_attempt_at)).where(
            Notification.status == NotificationStatus.QUEUED,
            Notification.next_attempt_at < now - overdue_after,
        )
    ).one()
    return DeliveryHealth(
        last_seen=latest.seen_at if latest else None,
        stopped_at=latest.stopped_at if latest else None,
        worker_running=running is not None,
        overdue=count or 0,
        oldest_due=oldest,
        overdue_minutes=int(overdue_after.total_seconds() // 60),
    )
