"""The worker's heartbeat, and the outbox page saying when notices are not flowing."""

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from caseapp.db import utcnow
from caseapp.extensions import db
from caseapp.notifications import outbox
from caseapp.notifications.heartbeat import Heartbeat, delivery_health
from caseapp.notifications.models import NotificationKind, WorkerHeartbeat
from caseapp.notifications.worker import run_forever
from caseapp.timeutil import STOCKHOLM


def _outbox(client) -> str:
    return client.get("/admin/outbox").get_data(as_text=True)


def _shown(when) -> str:
    return when.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def test_no_worker_ever_is_said_in_words(app, client, login_as):
    login_as("admin")
    assert "No delivery worker has been seen yet" in _outbox(client)


def _run_worker(app, stop: threading.Event) -> threading.Thread:
    def target():
        with app.app_context():
            run_forever(worker="test-worker", poll_seconds=0.05, stop=stop)
            db.session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_running_worker_beats_and_delivers_and_says_when_it_stopped(
    app, client, login_as, factory
):
    app.config["NOTIFY_HEARTBEAT_SECONDS"] = 0.1
    login_as("admin")
    stop = threading.Event()
    thread = _run_worker(app, stop)
    try:
        assert _wait_for(lambda: db.session.get(WorkerHeartbeat, "test-worker") is not None)
        first = db.session.get(WorkerHeartbeat, "test-worker").seen_at
        assert _wait_for(lambda: db.session.get(WorkerHeartbeat, "test-worker").seen_at > first)
        page = _outbox(client)
        assert "No delivery worker" not in page and "stopped at" not in page
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    beat = db.session.get(WorkerHeartbeat, "test-worker")
    db.session.refresh(beat)
    assert beat.stopped_at is not None
    page = _outbox(client)
    assert f"The delivery worker stopped at {_shown(beat.stopped_at)}" in page


def test_a_worker_not_seen_for_a_while_is_said_with_since_when(app, client, login_as):
    seen = utcnow() - timedelta(minutes=10)
    db.session.add(WorkerHeartbeat(worker="gone:1", started_at=seen, seen_at=seen))
    db.session.commit()
    login_as("admin")
    assert f"No delivery worker has been seen since {_shown(seen)}" in _outbox(client)


def test_notices_waiting_longer_than_expected_are_said(app, client, login_as):
    Heartbeat("alive:1").start()  # a worker is running, yet one notice is late
    late = utcnow() - timedelta(minutes=25)
    outbox.enqueue(kind=NotificationKind.REGISTRATION, recipient_email="a@ange.se", not_before=late)
    # Waiting for a retry later is what is expected, not late.
    outbox.enqueue(
        kind=NotificationKind.REGISTRATION,
        recipient_email="b@ange.se",
        not_before=utcnow() + timedelta(minutes=30),
    )
    db.session.commit()
    health = delivery_health()
    assert health.worker_running and health.overdue == 1
    login_as("admin")
    page = _outbox(client)
    assert "1 notification has waited more than 10 minutes to be sent" in page
    assert _shown(late) in page


def test_the_heartbeat_writes_at_most_every_few_seconds(app):
    app.config["NOTIFY_HEARTBEAT_SECONDS"] = 30
    writes: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE WORKER_HEARTBEATS"):
            writes.append(statement)

    beat = Heartbeat("busy:1")
    beat.start()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert [beat.beat() for _ in range(1000)].count(True) == 0
        beat._last -= 31  # half a minute later
        assert beat.beat() and not beat.beat()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(writes) == 1
