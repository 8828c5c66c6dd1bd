"""The inbox services: storing received mail, safe names, waiting times, claiming."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.audit.models import AuditEvent
from caseapp.db import utcnow
from caseapp.documents import filestore
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.mail import inbox


@pytest.mark.parametrize(
    "given,kept",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("brev\x00\n.eml", "brev.eml"),
        ("..", None),
        ("", None),
        ("Svar från Ånge.eml", "Svar från Ånge.eml"),
    ],
)
def test_safe_filename(given, kept):
    assert inbox.safe_filename(given) == kept


def test_storing_keeps_the_bytes_summarises_and_audits(app):
    mail = make_eml(1)
    item = inbox.store_message(mail, source=inbox.InboxSource.UPLOAD, filename="a.eml")
    assert filestore.get(item.raw_sha256) == mail
    assert item.size == len(mail) and item.media_type == "message/rfc822"
    assert item.subject == "Fråga nummer 1 om servicekontor"
    assert item.sender == "Kim Kommun <kim.kommun@ange.se>"
    assert item.message_id == "<test-1@ange.se>" and item.message_count == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "receive"))
    assert event.entity_id == item.id


def test_too_large_or_empty_mail_stores_nothing(app):
    app.config["MAIL_MAX_SIZE"] = 100
    with pytest.raises(inbox.MailTooLarge):
        inbox.store_message(make_eml(1), source=inbox.InboxSource.SMTP)
    with pytest.raises(ServiceError):
        inbox.store_message(b"  \r\n", source=inbox.InboxSource.SMTP)
    assert db.session.scalar(sa.select(sa.func.count(inbox.InboxItem.id))) == 0


def test_an_mbox_is_split_into_its_messages():
    mbox = b"From a Mon Jun  7 10:00:00 2021\n" + make_eml(1) + b"\nFrom b Mon\n" + make_eml(2)
    parts = inbox.split_mbox(mbox)
    assert len(parts) == 2 and parts[0].startswith(b"From: Kim")
    assert inbox.split_mbox(make_eml(3)) == [make_eml(3)]


def test_waiting_time_is_coarse(app):
    item = inbox.store_message(make_eml(1), source=inbox.InboxSource.PASTE)
    now = item.received_at
    assert str(inbox.waited(item, now + timedelta(minutes=5))) == "5 min"
    assert str(inbox.waited(item, now + timedelta(hours=3, minutes=59))) == "3 h"
    assert str(inbox.waited(item, now + timedelta(days=2, hours=1))) == "2 d"


def test_pending_items_are_oldest_first_and_leave_the_list_once(app):
    a = inbox.store_message(make_eml(1), source=inbox.InboxSource.PASTE)
    b = inbox.store_message(make_eml(2), source=inbox.InboxSource.PASTE)
    a.received_at = utcnow() - timedelta(days=1)
    b.received_at = utcnow() - timedelta(days=3)
    db.session.flush()
    assert inbox.pending_items() == [b, a]
    with pytest.raises(ServiceError):
        inbox.discard(a, actor=None, reason=" ")
    inbox.discard(a, actor=None, reason="Reklam")
    with pytest.raises(ServiceError):
        inbox.discard(a, actor=None, reason="igen")
    inbox.claim(b, actor=None)
    with pytest.raises(ServiceError):
        inbox.claim(b, actor=None)
    assert inbox.pending_items() == []
