"""A worker killed mid-batch (kill -9) and started again sends no accepted message twice
(issue #9, finding 18).

The real ``caseapp worker`` runs in a process of its own against aiosmtpd on loopback, on
the test database. The server stalls the second message's DATA (it never answers it), so
the kill lands at a known point: the first message is accepted (250) and the second is in
flight. The restarted worker must send the second and the rest, never the first again.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.db import utcnow
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.extensions import db
from caseapp.notifications.models import DeliveryAttempt, Notification, NotificationStatus
from caseapp.notifications.subscriptions import subscribe
from caseapp.timeutil import STOCKHOLM
from tests.followups.conftest import RecordingHandler, SMTPServer

pytestmark = pytest.mark.slow


@dataclass
class StallingHandler(RecordingHandler):
    """Accepts messages, but never answers the DATA of the ``stall_at``-th one."""

    stall_at: int = 2
    stalled: threading.Event = field(default_factory=threading.Event)
    seen: int = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.stall_at:
            self.stalled.set()
            await asyncio.sleep(60)  # the worker is killed meanwhile
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def stalling_server():
    server = SMTPServer()
    server.handler = StallingHandler()
    server.start()
    yield server
    server.stop()


def _worker(database_url, tmp_path, port, *args) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEAPP_", "FLASK_"))} | {
        "CASEAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEAPP_DATABASE_URL": database_url,
        "CASEAPP_MAIL_SERVER": "127.0.0.1",
        "CASEAPP_MAIL_PORT": str(port),
        "CASEAPP_NOTIFY_SMTP_TIMEOUT": "120",
        "CASEAPP_NOTIFY_POLL_SECONDS": "0.2",
        "CASEAPP_BASE_URL": "https://diarium.example.org",
    }
    return [sys.executable, "-m", "caseapp", "worker", *args], env


def test_a_restarted_worker_does_not_resend_what_was_accepted_before_the_kill(
    app, factory, migrated_database, tmp_path, stalling_server
):
    case = factory.case()
    box = create_mailbox(
        address="postlista.ks@ange.se",
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )
    subscribe(actor=None, mailbox=box, case=case)
    for i in range(5):
        factory.document(case, subject=f"Handling {i}")
    db.session.commit()

    cmd, env = _worker(migrated_database, tmp_path, stalling_server.port)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            stalled = stalling_server.handler.stalled.wait(30)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert stalled, log.read_text()
    assert [len(m.rcpt_tos) for m in stalling_server.messages] == [1]  # the first, accepted
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    # Its acceptance was recorded before the next message was begun.
    assert [n.status for n in rows] == [NotificationStatus.DELIVERED] + 4 * [
        NotificationStatus.SENDING
    ]

    # Started again once the dead worker's claim has lapsed (a clock past the lease).
    stalling_server.handler.stall_at = 0
    later = (utcnow() + timedelta(hours=1)).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
    cmd, env = _worker(migrated_database, tmp_path, stalling_server.port, "--once", "--now", later)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "delivered 4" in done.stdout

    ids = [m.message["Message-ID"] for m in stalling_server.messages]
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert sorted(ids) == sorted(n.message_id for n in rows)  # each exactly once
    assert all(n.status == NotificationStatus.DELIVERED for n in rows)
    # One attempt each: the in-flight one was never answered, so it has no result to record.
    assert db.session.scalar(sa.select(sa.func.count(DeliveryAttempt.id))) == 5
