"""The delivery worker: claims due outbox rows, sends them, records every attempt.

Several workers may run at once (on several machines). A row is claimed by one worker with
a single conditional UPDATE: on PostgreSQL its candidate rows are picked with
``FOR UPDATE SKIP LOCKED`` so workers never wait for each other; on SQLite the statement
runs under the database's one write lock. Either way the claim is ``queued → sending`` with
the worker's claim token and time, and only the claimant records the result. A claim whose
worker died is taken over after ``NOTIFY_LEASE_SECONDS``.
"""

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from caseapp.db import utcnow
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications.delivery import (
    OutboxMessage,
    Outcome,
    TimeoutConnection,
    classify,
    connect,
    smtp_configured,
)
from caseapp.notifications.mailtext import (
    build_message,
    compose,
    message_id_for,
    sender_address,
    unsubscribe_url,
)
from caseapp.notifications.models import (
    AttemptResult,
    DeliveryAttempt,
    Notification,
    NotificationStatus,
)

log = logging.getLogger(__name__)

N = Notification


@dataclass
class RunStats:
    delivered: int = 0
    caught: int = 0
    retrying: int = 0
    failed: int = 0
    batches: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.delivered + self.caught + self.retrying + self.failed


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _due(now: datetime, lease: timedelta):
    return sa.or_(
        sa.and_(N.status == NotificationStatus.QUEUED, N.next_attempt_at <= now),
        sa.and_(N.status == NotificationStatus.SENDING, N.claimed_at < now - lease),
    )


def claim(worker_id: str, *, now: datetime, limit: int) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows for this worker and commit the claim.

    Returns the claim token and the claimed ids. No other worker can claim the same rows
    until this claim's lease has passed.
    """
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    token = f"{worker_id}/{uuid.uuid4().hex[:12]}"
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


def _record(n: Notification, outcome: Outcome, *, worker: str, now: datetime) -> str:
    """Write the attempt and the row's new state; returns the state name for the stats."""
    db.session.add(
        DeliveryAttempt(
            notification_id=n.id,
            at=utcnow(),
            worker=worker,
            result=outcome.result,
            smtp_code=outcome.code,
            error=outcome.error,
        )
    )
    n.attempts += 1
    n.claimed_by = None
    n.claimed_at = None
    if outcome.result in (AttemptResult.DELIVERED, AttemptResult.CAUGHT):
        n.status = (
            NotificationStatus.DELIVERED
            if outcome.result == AttemptResult.DELIVERED
            else NotificationStatus.CAUGHT
        )
        n.delivered_at = utcnow()
        n.last_error = None
        state = "delivered" if outcome.result == AttemptResult.DELIVERED else "caught"
    elif outcome.result == AttemptResult.TEMPORARY and n.attempts < current_app.config.get(
        "NOTIFY_MAX_ATTEMPTS", 6
    ):
        base = float(current_app.config.get("NOTIFY_RETRY_SECONDS", 60))
        cap = float(current_app.config.get("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600))
        n.status = NotificationStatus.QUEUED
        n.next_attempt_at = now + timedelta(seconds=min(cap, base * 2 ** (n.attempts - 1)))
        n.last_error = outcome.error
        state = "retrying"
    else:
        n.status = NotificationStatus.FAILED
        n.last_error = outcome.error
        state = "failed"
    if db.session.get_bind().dialect.name == "postgresql":
        # Do not wait for the WAL flush of this per-row commit. What a database crash
        # could lose is only the mark that the row was sent; it is then sent again with the
        # same Message-ID, exactly as after a worker crash between sending and committing.
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()
    return state


def _prepare(n: Notification, sender):
    """Compose the row once (kept for retries) and build its MIME message."""
    if n.subject is None or n.body_text is None:
        composed = compose(n)
        n.subject = composed.subject
        n.body_text = composed.text
        n.body_html = composed.html
    if not n.message_id:
        n.message_id = message_id_for(n, sender)
    unsubscribe = unsubscribe_url(n.subscription) if n.subscription is not None else None
    return build_message(n, unsubscribe, sender)


def deliver(ids: list[int], token: str, *, worker: str, now: datetime, stats: RunStats) -> None:
    """Send the claimed rows over one SMTP session (reopened if it breaks); without
    ``MAIL_SERVER`` they go to the development catcher instead."""
    rows = db.session.scalars(
        sa.select(N)
        .where(N.id.in_(ids), N.claimed_by == token, N.status == NotificationStatus.SENDING)
        .options(selectinload(N.subscription), selectinload(N.document))
        .order_by(N.id)
    ).all()
    session = db.session()
    # The claimed rows are ours alone: reloading each of them after every per-row commit
    # would only cost time (it halves the throughput).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    catching = not smtp_configured()
    conn: TimeoutConnection | None = None
    connect_error: Outcome | None = None
    sender = sender_address()
    lease = _LeaseKeeper(token, now)
    try:
        for n in rows:
            if not lease.still_ours(n.id):
                # This worker stalled past its lease and another worker took the row over.
                log.warning("notification %s was taken over by another worker", n.id)
                continue
            try:
                message = _prepare(n, sender)
            except (ServiceError, ValueError, LookupError, AttributeError) as exc:
                log.exception("notification %s cannot be composed", n.id)
                outcome = Outcome(AttemptResult.PERMANENT, None, f"cannot compose: {exc}")
                _bump(stats, _record(n, outcome, worker=worker, now=now), n.id)
                continue
            if catching:
                outcome = Outcome(AttemptResult.CAUGHT)
                _bump(stats, _record(n, outcome, worker=worker, now=now), n.id)
                continue
            if connect_error is not None:
                # The server could not be reached for this batch: every row gets its attempt.
                _bump(stats, _record(n, connect_error, worker=worker, now=now), n.id)
                continue
            if conn is None:
                try:
                    conn = connect()
                except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                    connect_error = classify(exc)
                    connect_error.result = AttemptResult.TEMPORARY
                    _bump(stats, _record(n, connect_error, worker=worker, now=now), n.id)
                    continue
            try:
                conn.send(OutboxMessage(message, sender.addr_spec, n.recipient_email))
                outcome = Outcome(AttemptResult.DELIVERED)
            except Exception as exc:  # noqa: BLE001 - the SMTP error is recorded on the row
                outcome = classify(exc)
                if outcome.broken:
                    conn.close()
                    conn = None
            _bump(stats, _record(n, outcome, worker=worker, now=now), n.id)
    finally:
        if conn is not None:
            conn.close()
        session.expire_on_commit = expire_on_commit
        db.session.rollback()  # nothing pending; releases the connection


class _LeaseKeeper:
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


def _bump(stats: RunStats, state: str, nid: int) -> None:
    setattr(stats, state, getattr(stats, state) + 1)
    stats.ids.append(nid)


def run_once(
    *, now: datetime | None = None, worker: str | None = None, batch_size: int | None = None
) -> RunStats:
    """Deliver everything due at ``now`` (default: the real time), batch by batch, then
    return. Rows that fail temporarily are rescheduled for later and not retried in this
    run."""
    worker = worker or default_worker_id()
    batch_size = batch_size or int(current_app.config.get("NOTIFY_BATCH_SIZE", 100))
    stats = RunStats()
    seen: set[int] = set()
    while True:
        when = now or utcnow()
        token, ids = claim(worker, now=when, limit=batch_size)
        if not ids:
            return stats
        stats.batches += 1
        deliver(ids, token, worker=worker, now=when, stats=stats)
        if seen.issuperset(ids):  # a clock in the past keeps rows due: do not spin
            return stats
        seen.update(ids)


def run_forever(*, worker: str | None = None, poll_seconds: float | None = None) -> None:
    """Deliver until stopped, sleeping ``NOTIFY_POLL_SECONDS`` when nothing is due."""
    poll = poll_seconds or float(current_app.config.get("NOTIFY_POLL_SECONDS", 5))
    worker = worker or default_worker_id()
    log.info("notification worker %s started", worker)
    while True:
        stats = run_once(worker=worker)
        if stats.batches == 0:
            time.sleep(poll)
