"""The delivery worker: claims due outbox rows (``claims.py``), sends them, records every
attempt.

A notice whose document was cancelled meanwhile is withdrawn by the cancel
(``cancellation.py``): the worker checks the row just before it sends it, and again, under a
lock, when it records the result (see ``_RACING_A_CANCEL``); a notice that went out at the
moment of the cancel is followed by its cancellation notice.

Delivery is at most once, also across a crash of the worker (kill -9, a power cut of its
machine):

- Just before a message's DATA is sent, the row's mark ``handed_at`` is committed
  (``_hand_over``); the server's answer is committed with the attempt and clears it
  (``_record``), before the next message of the batch is begun. A row whose result is
  committed is never claimed again.
- The rows of a dead worker's batch wait out its claim's lease (``NOTIFY_LEASE_SECONDS``)
  and are then taken over — all but the one it had handed to the server: that row's
  message may be with the server although we never saw its 250 (SMTP has no way to ask
  a server whether it took a message). It is not sent again but becomes *uncertain*
  (``claims.report_uncertain``), shown so on the outbox and notice pages, where an admin
  resends it or marks it delivered.

What remains, and why:

- A crash after the mark but before the DATA went out reports as uncertain a message that
  was never sent: the mark has to come first to rule out the duplicate.
- A message whose final "." was sent but whose answer never came to a live worker (a cut
  connection, a timeout) is recorded as a temporary failure and retried with the same
  Message-ID: at least once, so that a recipient (or its server) can tell the copies apart.
- On PostgreSQL the per-row commits do not wait for the WAL flush (see ``_record``): a
  crash of the database itself (not of the worker) can lose the last marks and results,
  and those rows are then sent again, likewise with their Message-IDs.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from caseapp.db import utcnow
from caseapp.documents.models import Document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications.audience import Audience
from caseapp.notifications.cancellation import correct_after_sending
from caseapp.notifications.claims import LeaseKeeper, claim, release
from caseapp.notifications.delivery import (
    OutboxMessage,
    Outcome,
    TimeoutConnection,
    classify,
    connect,
    smtp_configured,
)
from caseapp.notifications.heartbeat import Heartbeat
from caseapp.notifications.mailtext import NothingToSend, compose, unsubscribe_url
from caseapp.notifications.message import build_message, message_id_for, sender_address
from caseapp.notifications.models import (
    COMPOSED_WHEN_QUEUED,
    AttemptResult,
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
    Subscription,
)

log = logging.getLogger(__name__)

N = Notification


@dataclass
class RunStats:
    delivered: int = 0
    caught: int = 0
    retrying: int = 0
    failed: int = 0
    withdrawn: int = 0
    batches: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.delivered + self.caught + self.retrying + self.failed + self.withdrawn


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# Kinds a cancel can change while they are being sent: it withdraws registration notices,
# and reads the day's digests to find who was told of the document.
#
# Such a row is checked just before it is sent (a cancel before that: nothing is sent), and
# its status is read again when its result is recorded: on PostgreSQL under a row lock
# (FOR UPDATE, so a cancel in progress is waited for), on SQLite under the database's one
# write lock that the result's INSERT takes. A cancel after the result finds it delivered.
# Either way a notice that went out while it was being withdrawn is corrected. (A row lock
# cannot be held from the check to the result: the hand-over mark commits between them.)
_RACING_A_CANCEL = (NotificationKind.REGISTRATION, NotificationKind.DIGEST)
# The statements run for every row, built once (building them costs more than running them).
_ATTEMPT = DeliveryAttempt.__table__.insert()
_STATUS = sa.select(N.status).where(N.id == sa.bindparam("id"))
_STATUS_AND_LOCK = _STATUS.with_for_update()
_CHECK = (
    sa.select(N.status, Document.cancelled_at)
    .outerjoin(Document, Document.id == N.document_id)
    .where(N.id == sa.bindparam("id"))
)
_CHECK_AND_LOCK = _CHECK.with_for_update(of=N)


def _log_attempt(
    n: Notification, outcome: Outcome, worker: str, *, locked: bool
) -> NotificationStatus | None:
    """Insert the attempt; return the row's status as others committed it, when a cancel may
    have changed it since the check (SQLite, or no check yet), else None.

    Nothing of ``n`` is flushed here, so the row is written once, at the commit."""
    with db.session.no_autoflush:
        db.session.execute(
            _ATTEMPT,
            {
                "notification_id": n.id,
                "at": utcnow(),
                "worker": worker,
                "result": outcome.result,
                "smtp_code": outcome.code,
                "error": outcome.error,
            },
        )
        if locked or n.kind not in _RACING_A_CANCEL:
            return None
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        return db.session.scalar(_STATUS_AND_LOCK if postgresql else _STATUS, {"id": n.id})


def _record(
    n: Notification,
    outcome: Outcome,
    *,
    worker: str,
    now: datetime,
    listed: list[int] = (),
    locked: bool = False,
) -> str:
    """Write the attempt and the row's new state; returns the state name for the stats.

    ``listed``: the documents the message told of, for the corrections a cancel that came
    while it was being sent could not queue itself. ``locked``: the row is locked since its
    check (``_check``).
    """
    status = _log_attempt(n, outcome, worker, locked=locked)
    withdrawn = status == NotificationStatus.WITHDRAWN
    n.attempts += 1
    n.claimed_by = None
    n.claimed_at = None
    n.handed_at = None  # the answer is on record: a crash from here on resends nothing
    sent = outcome.result in (AttemptResult.DELIVERED, AttemptResult.CAUGHT)
    if withdrawn and not sent:
        # Cancelled while it was being tried: it stays withdrawn, never retried.
        n.status = NotificationStatus.WITHDRAWN
        n.last_error = outcome.error
        state = "withdrawn"
    elif sent:
        n.status = (
            NotificationStatus.DELIVERED
            if outcome.result == AttemptResult.DELIVERED
            else NotificationStatus.CAUGHT
        )
        n.delivered_at = utcnow()
        n.last_error = None
        state = "delivered" if outcome.result == AttemptResult.DELIVERED else "caught"
        if withdrawn or n.kind == NotificationKind.DIGEST:
            # It went out although (or while) its document was cancelled: say so after.
            correct_after_sending(n, list(listed))
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
    _commit_quickly()
    return state


def _commit_quickly() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # Do not wait for the WAL flush of this per-row commit. What a crash of the
        # database (not of the worker) could lose is only the last marks and results: those
        # rows are then sent again with their Message-IDs (see the module's docstring).
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def _hand_over(n: Notification) -> None:
    """Commit the mark that ``n`` is being handed to the server, with its composed text and
    Message-ID, just before its DATA is sent: a worker that dies before it records the
    answer leaves the row uncertain, never to be resent by itself (``report_uncertain``)."""
    n.handed_at = utcnow()
    _commit_quickly()


def _prepare(n: Notification, sender, audience: Audience) -> tuple:
    """Compose the row afresh and build its MIME message; returns it with the documents it
    tells of.

    Composed at every attempt, never reused from an earlier one: what the message says is
    masked by the document's and case's state now (a document marked confidential after a
    failed first attempt goes out masked). The text is kept on the row (written with the
    attempt's result) for the outbox pages; the Message-ID stays the row's.

    A kind composed when queued (``COMPOSED_WHEN_QUEUED``) is sent as it was queued.

    Raises ``NothingToSend`` when its documents were cancelled or its user deactivated.
    """
    document_ids: list[int] = []
    if n.kind not in COMPOSED_WHEN_QUEUED:
        composed = compose(n, audience)
        n.subject = composed.subject
        n.body_text = composed.text
        n.body_html = composed.html
        document_ids = composed.document_ids
    if not n.message_id:
        n.message_id = message_id_for(n, sender)
    unsubscribe = unsubscribe_url(n.subscription) if n.subscription is not None else None
    return build_message(n, unsubscribe, sender), document_ids


def _check(n: Notification, *, lock: bool) -> bool:
    """Just before sending: must ``n`` stay unsent (withdrawn, or its document cancelled,
    since it was claimed)? With ``lock`` (PostgreSQL) the row stays locked to the commit."""
    if n.kind not in _RACING_A_CANCEL:
        return False
    status, cancelled_at = db.session.execute(
        _CHECK_AND_LOCK if lock else _CHECK, {"id": n.id}
    ).one()
    return status == NotificationStatus.WITHDRAWN or cancelled_at is not None


def _withdraw(n: Notification) -> str:
    """Mark a claimed row withdrawn without an attempt (there was nothing to send)."""
    n.status = NotificationStatus.WITHDRAWN
    n.claimed_by = None
    n.claimed_at = None
    db.session.commit()
    return "withdrawn"


def deliver(
    ids: list[int],
    token: str,
    *,
    worker: str,
    now: datetime,
    stats: RunStats,
    heartbeat: Heartbeat | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Send the claimed rows over one SMTP session (reopened if it breaks); without
    ``MAIL_SERVER`` they go to the development catcher instead. When ``stop`` is set, the
    row being sent is finished and the rest given back to the queue."""
    rows = db.session.scalars(
        sa.select(N)
        .where(N.id.in_(ids), N.claimed_by == token, N.status == NotificationStatus.SENDING)
        .options(
            selectinload(N.subscription).selectinload(Subscription.user),
            selectinload(N.document),
        )
        .order_by(N.id)
    ).all()
    session = db.session()
    # The claimed rows are ours alone: reloading each of them after every per-row commit
    # would only cost time (it halves the throughput).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    catching = not smtp_configured()
    locking = db.session.get_bind().dialect.name == "postgresql"
    conn: TimeoutConnection | None = None
    connect_error: Outcome | None = None
    sender = sender_address()
    audience = Audience.of(n.recipient_email for n in rows)
    lease = LeaseKeeper(token, now)
    try:
        for n in rows:
            if stop is not None and stop.is_set():
                release(token)
                break
            if heartbeat is not None:
                heartbeat.beat()
            if not lease.still_ours(n.id):
                # This worker stalled past its lease and another worker took the row over.
                log.warning("notification %s was taken over by another worker", n.id)
                continue
            # Nothing is written until the result is recorded: a write here would hold a
            # lock (all of SQLite) for as long as the SMTP server takes.
            with db.session.no_autoflush:
                try:
                    message, listed = _prepare(n, sender, audience)
                except NothingToSend:
                    _bump(stats, _withdraw(n), n.id)
                    continue
                except (ServiceError, ValueError, LookupError, AttributeError) as exc:
                    log.exception("notification %s cannot be composed", n.id)
                    outcome = Outcome(AttemptResult.PERMANENT, None, f"cannot compose: {exc}")
                    _bump(stats, _record(n, outcome, worker=worker, now=now), n.id)
                    continue
                withdrawn = _check(n, lock=locking)
            if withdrawn:
                _bump(stats, _withdraw(n), n.id)
                continue
            attempt = {"worker": worker, "now": now, "listed": listed, "locked": locking}
            if catching:
                outcome = Outcome(AttemptResult.CAUGHT)
                _bump(stats, _record(n, outcome, **attempt), n.id)
                continue
            if connect_error is not None:
                # The server could not be reached for this batch: every row gets its attempt.
                _bump(stats, _record(n, connect_error, **attempt), n.id)
                continue
            if conn is None:
                try:
                    conn = connect()
                except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                    connect_error = classify(exc)
                    connect_error.result = AttemptResult.TEMPORARY
                    _bump(stats, _record(n, connect_error, **attempt), n.id)
                    continue
            _hand_over(n)
            # The hand-over's commit ended the check's lock: the result reads the status anew.
            attempt["locked"] = False
            try:
                conn.send(OutboxMessage(message, sender.addr_spec, n.recipient_email))
                outcome = Outcome(AttemptResult.DELIVERED)
            except Exception as exc:  # noqa: BLE001 - the SMTP error is recorded on the row
                outcome = classify(exc)
                if outcome.broken:
                    conn.close()
                    conn = None
            _bump(stats, _record(n, outcome, **attempt), n.id)
    finally:
        if conn is not None:
            conn.close()
        session.expire_on_commit = expire_on_commit
        db.session.rollback()  # nothing pending; releases the connection


def _bump(stats: RunStats, state: str, nid: int) -> None:
    setattr(stats, state, getattr(stats, state) + 1)
    stats.ids.append(nid)


def run_once(
    *,
    now: datetime | None = None,
    worker: str | None = None,
    batch_size: int | None = None,
    heartbeat: Heartbeat | None = None,
    stop: threading.Event | None = None,
) -> RunStats:
    """Deliver everything due at ``now`` (default: the real time), batch by batch, then
    return (early, with nothing left claimed, when ``stop`` is set). Rows that fail
    temporarily are rescheduled for later and not retried in this run."""
    worker = worker or default_worker_id()
    batch_size = batch_size or int(current_app.config.get("NOTIFY_BATCH_SIZE", 100))
    stats = RunStats()
    seen: set[int] = set()
    while stop is None or not stop.is_set():
        when = now or utcnow()
        token, ids = claim(worker, now=when, limit=batch_size)
        if not ids:
            return stats
        stats.batches += 1
        deliver(ids, token, worker=worker, now=when, stats=stats, heartbeat=heartbeat, stop=stop)
        if seen.issuperset(ids):  # a clock in the past keeps rows due: do not spin
            return stats
        seen.update(ids)
    return stats


def run_forever(
    *,
    worker: str | None = None,
    poll_seconds: float | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Deliver until ``stop`` is set, waiting ``NOTIFY_POLL_SECONDS`` when nothing is due.

    The worker's heartbeat is written when it starts, every ``NOTIFY_HEARTBEAT_SECONDS``
    while it runs, and when it stops.
    """
    poll = poll_seconds or float(current_app.config.get("NOTIFY_POLL_SECONDS", 5))
    worker = worker or default_worker_id()
    stop = stop or threading.Event()
    heartbeat = Heartbeat(worker)
    heartbeat.start()
    log.info("notification worker %s started", worker)
    try:
        while not stop.is_set():
            stats = run_once(worker=worker, heartbeat=heartbeat, stop=stop)
            heartbeat.beat()
            if stats.batches == 0:
                stop.wait(poll)
    finally:
        heartbeat.stop()
        log.info("notification worker %s stopped", worker)
