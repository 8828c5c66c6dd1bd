"""The outbox and the worker against a real SMTP server on loopback."""

import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseapp.db import utcnow
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications import outbox
from caseapp.notifications.models import (
    AttemptResult,
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once


def _mailbox(factory, address="postlista.kommunstyrelsen@ange.se", name="Postlista KS"):
    org = factory.organisation()
    return create_mailbox(
        address=address, name=name, kind=MailboxKind.REGISTRY, organisation=org, actor=None
    )


@pytest.fixture
def subscribed_case(factory):
    case = factory.case()
    box = _mailbox(factory)
    subscribe(actor=None, mailbox=box, case=case)
    db.session.commit()
    return case


def _statuses():
    return sorted(db.session.scalars(sa.select(Notification.status)).all())


def test_registration_queues_a_notice_in_the_same_transaction(app, factory, subscribed_case):
    doc = factory.document(subscribed_case)
    rows = db.session.scalars(sa.select(Notification)).all()
    assert [(n.kind, n.document_id, n.recipient_email) for n in rows] == [
        (NotificationKind.REGISTRATION, doc.id, "postlista.kommunstyrelsen@ange.se")
    ]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_worker_delivers_once_with_stable_message_id(app, factory, subscribed_case, smtp_server):
    factory.document(subscribed_case, subject="Etablering av statliga servicekontor")
    db.session.commit()
    stats = run_once()
    assert stats.delivered == 1
    assert run_once().handled == 0  # nothing twice
    [got] = smtp_server.messages
    assert got.rcpt_tos == ["postlista.kommunstyrelsen@ange.se"]
    msg = got.message
    n = db.session.scalar(sa.select(Notification))
    assert n.status == NotificationStatus.DELIVERED
    assert msg["Message-ID"] == n.message_id
    assert msg["Subject"].startswith(f"Ny handling i {subscribed_case.number}")
    unsubscribe = str(msg["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http") and "/unsubscribe/" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = msg.get_body(("plain",)).get_content()
    assert "Etablering av statliga servicekontor" in body
    assert msg.get_body(("html",)) is not None
    [attempt] = db.session.scalars(sa.select(DeliveryAttempt)).all()
    assert attempt.result == AttemptResult.DELIVERED


def test_server_down_nothing_lost_retried_with_backoff_delivered_once(
    app, factory, subscribed_case, smtp_server
):
    app.config["NOTIFY_RETRY_SECONDS"] = 60
    for i in range(3):
        factory.document(subscribed_case, subject=f"Handling {i}")
    db.session.commit()
    smtp_server.stop()
    t0 = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)

    stats = run_once(now=t0)
    assert stats.retrying == 3 and stats.delivered == 0
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert all(n.status == NotificationStatus.QUEUED and n.attempts == 1 for n in rows)
    assert all(n.next_attempt_at == t0 + timedelta(seconds=60) for n in rows)
    assert all(n.last_error for n in rows)
    ids = {n.id: n.message_id for n in rows}

    # Not due yet: nothing is tried again before the backoff has passed.
    assert run_once(now=t0 + timedelta(seconds=30)).handled == 0
    # Still down at the next try: the wait doubles.
    stats = run_once(now=t0 + timedelta(seconds=60))
    assert stats.retrying == 3
    db.session.expire_all()
    assert {n.next_attempt_at for n in db.session.scalars(sa.select(Notification))} == {
        t0 + timedelta(seconds=60 + 120)
    }

    smtp_server.start()
    stats = run_once(now=t0 + timedelta(seconds=180))
    assert stats.delivered == 3
    assert run_once(now=t0 + timedelta(days=1)).handled == 0
    assert len(smtp_server.messages) == 3
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification)).all()
    assert all(n.status == NotificationStatus.DELIVERED and n.attempts == 3 for n in rows)
    assert {n.id: n.message_id for n in rows} == ids  # same Message-ID on every attempt
    got_ids = {m.message["Message-ID"] for m in smtp_server.messages}
    assert got_ids == set(ids.values())
    assert db.session.scalar(sa.select(sa.func.count(DeliveryAttempt.id))) == 9


def test_retries_spent_marks_failed_and_admin_can_resend(
    app, client, login_as, factory, subscribed_case, smtp_server
):
    app.config.update(NOTIFY_MAX_ATTEMPTS=2, NOTIFY_RETRY_SECONDS=10)
    factory.document(subscribed_case)
    db.session.commit()
    smtp_server.stop()
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    run_once(now=t0)
    stats = run_once(now=t0 + timedelta(seconds=10))
    assert stats.failed == 1
    n = db.session.scalar(sa.select(Notification))
    assert n.status == NotificationStatus.FAILED

    login_as("admin")
    page = client.get("/admin/outbox?status=failed")
    assert page.status_code == 200
    assert b"postlista.kommunstyrelsen@ange.se" in page.data
    assert client.get(f"/admin/outbox/{n.id}").status_code == 200
    smtp_server.start()
    resp = client.post(f"/admin/outbox/{n.id}/resend")
    assert resp.status_code == 302
    assert run_once().delivered == 1
    assert len(smtp_server.messages) == 1


def test_rejected_recipient_recorded_others_unaffected(app, factory, smtp_server):
    case = factory.case()
    good = _mailbox(factory, "registrator@ange.se", "Registraturen")
    bad = _mailbox(factory, "finns.inte@ange.se", "Nedlagd brevlåda")
    other = _mailbox(factory, "ange@ange.se", "Ånge kommun")
    for box in (good, bad, other):
        subscribe(actor=None, mailbox=box, case=case)
    factory.document(case)
    db.session.commit()
    smtp_server.handler.reject = {"finns.inte@ange.se"}

    stats = run_once()
    assert (stats.delivered, stats.failed) == (2, 1)
    assert sorted(r for m in smtp_server.messages for r in m.rcpt_tos) == [
        "ange@ange.se",
        "registrator@ange.se",
    ]
    refused = db.session.scalar(
        sa.select(Notification).where(Notification.recipient_email == "finns.inte@ange.se")
    )
    assert refused.status == NotificationStatus.FAILED
    [attempt] = refused.attempts_log
    assert attempt.result == AttemptResult.PERMANENT and attempt.smtp_code == 550
    assert "User unknown" in attempt.error


def test_slow_server_hits_the_worker_timeout_not_forever(
    app, factory, subscribed_case, smtp_server
):
    factory.document(subscribed_case)
    db.session.commit()
    app.config["NOTIFY_SMTP_TIMEOUT"] = 0.5
    smtp_server.handler.delay = 3
    started = time.monotonic()
    stats = run_once()
    assert time.monotonic() - started < 2.5
    assert stats.retrying == 1
    n = db.session.scalar(sa.select(Notification))
    assert n.status == NotificationStatus.QUEUED and "timed out" in (n.last_error or "").lower()


def test_registering_never_opens_an_smtp_connection(app, client, factory, monkeypatch):
    """The web app only writes outbox rows; even a configured server is never contacted."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    case = factory.case()
    subscribe(actor=None, mailbox=_mailbox(factory), case=case)
    db.session.commit()

    def forbidden(*args, **kwargs):
        pytest.fail("the web app opened an SMTP connection")

    monkeypatch.setattr(smtplib.SMTP, "__init__", forbidden)
    monkeypatch.setattr(smtplib.SMTP, "connect", forbidden)
    with app.test_request_context("/cases/", method="POST"):
        factory.document(case)
        db.session.commit()
    assert _statuses() == [NotificationStatus.QUEUED]


@pytest.mark.parametrize(
    "evil",
    [
        "Eve\r\nBcc: victim@example.com",
        "Eve\nBcc: victim@example.com",
        "Eve\rBcc: victim@example.com",
        "Eve\u2028Bcc: victim@example.com",
    ],
)
def test_header_injection_through_names_and_subjects_is_impossible(app, factory, smtp_server, evil):
    case = factory.case(title=f"Ärende {evil}")
    box = _mailbox(factory, name=evil)
    subscribe(actor=None, mailbox=box, case=case)
    factory.document(case, subject=f"Hej\r\nBcc: victim@example.com\r\n\r\nfake body {evil}")
    db.session.commit()
    assert run_once().delivered == 1
    [got] = smtp_server.messages
    assert got.rcpt_tos == ["postlista.kommunstyrelsen@ange.se"]
    msg = got.message
    assert msg["Bcc"] is None
    assert len(msg.get_all("To")) == 1 and len(msg.get_all("Subject")) == 1
    header_block = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in header_block
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["To"])


@pytest.mark.parametrize(
    "address", ["a@ange.se\r\nBcc: victim@example.com", "a@ange.se, b@ange.se", "Eve <a@ange.se>"]
)
def test_outbox_refuses_addresses_that_are_not_one_plain_address(app, address):
    with pytest.raises(ServiceError):
        outbox.enqueue(kind=NotificationKind.REGISTRATION, recipient_email=address)


def test_without_mail_server_mail_is_caught_and_readable(app, client, login_as, factory):
    case = factory.case()
    subscribe(actor=None, mailbox=_mailbox(factory), case=case)
    factory.document(case, subject="Fångad handling")
    db.session.commit()
    stats = run_once()
    assert stats.caught == 1
    n = db.session.scalar(sa.select(Notification))
    assert n.status == NotificationStatus.CAUGHT and n.delivered_at is not None
    login_as("admin")
    page = client.get(f"/admin/outbox/{n.id}")
    assert page.status_code == 200
    assert "Fångad handling" in page.get_data(as_text=True)


def test_outbox_pages_are_for_admins_only(app, client, login_as):
    login_as("registrar")
    assert client.get("/admin/outbox").status_code == 403


def _run_in_thread(app, results, name):
    with app.app_context():
        results[name] = run_once(worker=name, batch_size=5).ids
        db.session.remove()


def test_two_workers_at_once_deliver_each_row_exactly_once(app, factory, smtp_server):
    case = factory.case()
    boxes = [_mailbox(factory, f"box{i}@ange.se", f"Box {i}") for i in range(12)]
    for box in boxes:
        subscribe(actor=None, mailbox=box, case=case)
    for i in range(5):
        factory.document(case, subject=f"Handling {i}")
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    assert total == 60
    smtp_server.handler.delay = 0.005  # let the workers overlap
    results: dict = {}
    threads = [
        threading.Thread(target=_run_in_thread, args=(app, results, f"w{i}")) for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    ids = results["w0"] + results["w1"]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == total
    assert len(smtp_server.messages) == total
    got = sorted(m.message["Message-ID"] for m in smtp_server.messages)
    assert len(set(got)) == total
    db.session.expire_all()
    assert set(_statuses()) == {NotificationStatus.DELIVERED}


def test_expired_claim_of_a_dead_worker_is_taken_over(app, factory, subscribed_case, smtp_server):
    factory.document(subscribed_case)
    db.session.commit()
    n = db.session.scalar(sa.select(Notification))
    n.status = NotificationStatus.SENDING
    n.claimed_by = "dead-worker/1"
    n.claimed_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert run_once().delivered == 1
    assert len(smtp_server.messages) == 1


def test_a_row_taken_over_from_a_stalled_worker_is_not_sent_again(
    app, factory, subscribed_case, smtp_server
):
    from caseapp.notifications.worker import RunStats, claim, deliver

    for _ in range(3):
        factory.document(subscribed_case)
    db.session.commit()
    now = utcnow()
    token, ids = claim("slow-worker", now=now, limit=10)
    assert len(ids) == 3
    # While the slow worker stalled, its lease ran out and another worker took one row.
    db.session.execute(
        sa.update(Notification).where(Notification.id == ids[0]).values(claimed_by="other/1")
    )
    db.session.commit()
    stats = RunStats()
    deliver(ids, token, worker="slow-worker", now=now, stats=stats)
    assert stats.delivered == 2
    assert len(smtp_server.messages) == 2
    taken = db.session.get(Notification, ids[0])
    db.session.refresh(taken)
    assert taken.status == NotificationStatus.SENDING and taken.claimed_by == "other/1"


def test_a_long_batch_keeps_renewing_its_claim(app, factory, subscribed_case, monkeypatch):
    from caseapp.notifications import claims as worker

    app.config["NOTIFY_LEASE_SECONDS"] = 900
    factory.document(subscribed_case)
    db.session.commit()
    start = utcnow()
    token, ids = worker.claim("slow", now=start, limit=10)
    clock = [1000.0]
    monkeypatch.setattr(worker.time, "monotonic", lambda: clock[0])
    keeper = worker.LeaseKeeper(token, start)
    assert keeper.still_ours(ids[0])
    db.session.commit()
    clock[0] += 800  # the first rows of the batch took 800 s (a very slow SMTP server)
    assert keeper.still_ours(ids[0])
    db.session.commit()
    # 1000 s after the claim, without renewal the lease (900 s) would have run out.
    _, taken = worker.claim("other", now=start + timedelta(seconds=1000), limit=10)
    assert taken == []


def test_outbox_pages_show_words_not_codes(app, client, login_as, factory, subscribed_case):
    login_as("admin")
    factory.document(subscribed_case)
    db.session.commit()
    n = db.session.scalar(sa.select(Notification))
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "New document" in listing and "Waiting" in listing
    assert ">registration<" not in listing and ">queued<" not in listing
    run_once()
    detail = client.get(f"/admin/outbox/{n.id}").get_data(as_text=True)
    assert "Caught (development)" in detail and ">caught<" not in detail
