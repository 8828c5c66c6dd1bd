"""A worker killed (kill -9) after the server took a message but before the worker recorded
the server's answer, then started again, does not send that message twice: the notice is
shown as uncertain, for an admin to resend or mark delivered (issue #9, finding 18).

The real ``caseapp worker`` runs in a process of its own against aiosmtpd on loopback, on
the test database. The server keeps the second message (it has it, as a real server would
after the final ".") and holds back its 250 while the test kills the worker: the kill lands
in the window between the server taking the message and the worker's commit of the answer.
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
from flask_babel import refresh

from caseapp.db import utcnow
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.extensions import db
from caseapp.notifications.models import Notification, NotificationStatus
from caseapp.notifications.subscriptions import subscribe
from caseapp.timeutil import STOCKHOLM
from tests.followups.conftest import RecordingHandler, SMTPServer

pytestmark = pytest.mark.slow


@dataclass
class HoldingHandler(RecordingHandler):
    """Records every message; holds back the 250 of the ``hold_at``-th one (it is kept)."""

    hold_at: int = 2
    holding: threading.Event = field(default_factory=threading.Event)
    seen: int = 0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.seen += 1
        if self.seen == self.hold_at:
            self.holding.set()
            await asyncio.sleep(60)  # the worker is killed meanwhile
        return reply


@pytest.fixture
def holding_server():
    server = SMTPServer()
    server.handler = HoldingHandler()
    server.start()
    yield server
    server.stop()


def _worker(database_url, tmp_path, port, *args) -> tuple[list[str], dict]:
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


def _kill_while_held(cmd, env, server, log) -> None:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            held = server.handler.holding.wait(30)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert held, log.read_text()


def _switch_language(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang, "next": "/login"}).status_code == 302
    # The test's one app context outlives a request: drop Flask-Babel's cached locale.
    refresh()


def _rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


def test_a_message_the_server_took_before_the_kill_is_not_sent_again_but_shown_uncertain(
    app, client, login_as, factory, migrated_database, tmp_path, holding_server
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

    cmd, env = _worker(migrated_database, tmp_path, holding_server.port)
    _kill_while_held(cmd, env, holding_server, tmp_path / "worker.log")
    assert len(holding_server.messages) == 2  # the server has the first two

    # Started again once the dead worker's claim has lapsed (a clock past the lease).
    holding_server.handler.hold_at = 0
    later = (utcnow() + timedelta(hours=1)).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
    cmd, env = _worker(migrated_database, tmp_path, holding_server.port, "--once", "--now", later)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    received = [m.message["Message-ID"] for m in holding_server.messages]
    assert len(received) == len(set(received)) == 5  # every message once, none twice
    assert "delivered 3" in done.stdout
    rows = _rows()
    assert sorted(received) == sorted(n.message_id for n in rows)
    assert [n.status for n in rows] == [
        NotificationStatus.DELIVERED,
        NotificationStatus.UNCERTAIN,
        *3 * [NotificationStatus.DELIVERED],
    ]
    uncertain = rows[1]

    # Another run leaves it alone: it is not due, it waits for an admin.
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(holding_server.messages) == 5

    login_as("admin")
    _switch_language(client, "sv")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Osäker leverans: kan ha levererats" in page
    show = client.get(f"/admin/outbox/{uncertain.id}").get_data(as_text=True)
    assert "Osäker leverans: kan ha levererats" in show
    assert "Inget svar registrerat" in show  # the attempt the restart recorded
    assert "Markera som levererad" in show and "Skicka igen" in show
    _switch_language(client, "en")
    english = client.get(f"/admin/outbox/{uncertain.id}").get_data(as_text=True)
    assert "Delivery uncertain: may have been delivered" in english
    assert "Mark as delivered" in english

    # The admin knows the recipient has it: marked delivered, it stays unsent.
    answer = client.post(f"/admin/outbox/{uncertain.id}/delivered")
    assert answer.status_code == 302
    assert _rows()[1].status == NotificationStatus.DELIVERED
