"""Cancelling a document (makulera): waiting notices are withdrawn, sent ones corrected.

Every test runs the real worker against aiosmtpd on loopback.
"""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents.models import Document
from caseapp.documents.moves import move_document
from caseapp.documents.services import cancel_document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications import outbox
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.models import Notification, NotificationKind, NotificationStatus
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import RunStats, claim, deliver, run_once

POSTLISTA = "postlista.kommunstyrelsen@ange.se"


def _box(factory, address=POSTLISTA, name="Postlista KS"):
    return create_mailbox(
        address=address,
        name=name,
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )


@pytest.fixture
def case(factory):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    db.session.commit()
    return case


def _cancel(doc: Document, reason="Registrerad i fel ärende") -> None:
    cancel_document(doc, reason=reason, actor=None)
    db.session.commit()


def _rows(kind=None) -> list[Notification]:
    db.session.expire_all()
    stmt = sa.select(Notification).order_by(Notification.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def _text(received) -> str:
    msg = received.message
    return str(msg["Subject"]) + "\n" + msg.get_body(("plain",)).get_content()


def test_cancelled_before_the_worker_runs_nothing_is_sent(app, factory, case, smtp_server):
    doc = factory.document(case, subject="Inbjudan till dialogmöte")
    db.session.commit()
    _cancel(doc)

    stats = run_once()
    assert smtp_server.messages == []
    assert stats.delivered == 0
    [n] = _rows()
    assert n.status == NotificationStatus.WITHDRAWN
    # Withdrawn is final: later runs and a resend send nothing either.
    assert run_once().handled == 0
    with pytest.raises(ServiceError):
        outbox.resend(n, actor=None)
    assert smtp_server.messages == []


def test_delivered_then_cancelled_sends_one_correction(app, factory, case, smtp_server):
    doc = factory.document(case, subject="Inbjudan till dialogmöte")
    db.session.commit()
    assert run_once().delivered == 1
    _cancel(doc, reason="Dubblett av en annan handling")

    assert run_once().delivered == 1
    first, correction = smtp_server.messages
    assert correction.rcpt_tos == [POSTLISTA]
    text = _text(correction)
    assert doc.number in correction.message["Subject"]
    assert "makulera" in text.lower()
    # Nothing beyond what the first notice said: not the reason, not the title.
    assert "Dubblett" not in text and "Inbjudan" not in text
    assert correction.message["Message-ID"] != first.message["Message-ID"]
    [n] = _rows(NotificationKind.CORRECTION)
    assert (n.document_id, n.status) == (doc.id, NotificationStatus.DELIVERED)
    assert run_once().handled == 0  # once


def test_one_correction_per_recipient_however_they_were_told(app, factory, smtp_server):
    org = factory.organisation(name="Statens servicecenter")
    case = factory.case(organisation=org)
    box = _box(factory)
    subscribe(actor=None, mailbox=box, case=case)
    subscribe(actor=None, mailbox=box, organisation=org, mode="daily")
    other = _box(factory, "registrator@ange.se", "Registraturen")
    subscribe(actor=None, mailbox=other, series=case.series)
    with time_machine.travel(datetime(2021, 6, 7, 11, 42, tzinfo=UTC), tick=False):
        doc = factory.document(case)
    db.session.commit()
    assert run_once().delivered == 2  # the two immediate notices
    assert queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC)) == 1
    db.session.commit()
    assert run_once().delivered == 1  # the Postlista's digest lists the document too
    _cancel(doc)

    run_once()
    corrections = [m for m in smtp_server.messages[3:]]
    assert sorted(r for m in corrections for r in m.rcpt_tos) == [POSTLISTA, "registrator@ange.se"]


def test_only_those_told_of_the_document_hear_of_its_cancellation(app, factory, smtp_server):
    """A digest of another case, the same day, told its reader nothing of this document."""
    case, other = factory.case(), factory.case(title="Annat ärende")
    subscribe(actor=None, mailbox=_box(factory), case=case)
    subscribe(actor=None, mailbox=_box(factory, "ange@ange.se"), case=other, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        doc = factory.document(case)
        factory.document(other)
    db.session.commit()
    queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC))
    db.session.commit()
    assert run_once().delivered == 2
    _cancel(doc)
    run_once()
    assert [m.rcpt_tos for m in smtp_server.messages[2:]] == [[POSTLISTA]]


def test_confidential_document_correction_is_masked(app, factory, case, smtp_server):
    doc = factory.document(
        case,
        subject="Hemlig säkerhetsplan",
        public_title="Skrivelse om lokaler",
        confidential=True,
        legal_basis="OSL 18 kap. 8 §",
    )
    db.session.commit()
    run_once()
    _cancel(doc, reason="Innehöll känsliga uppgifter")
    run_once()
    correction = smtp_server.messages[-1]
    raw = correction.message.as_string() + _text(correction)
    assert doc.number in raw
    for secret in ("Hemlig", "säkerhetsplan", "känsliga", "OSL"):
        assert secret not in raw


def test_a_claimed_notice_is_not_sent_after_the_cancel(app, factory, case, smtp_server):
    """A worker had claimed the notice when the cancel came: it checks before it sends."""
    doc = factory.document(case)
    db.session.commit()
    now = datetime.now(UTC)
    token, ids = claim("w1", now=now, limit=10)
    _cancel(doc)

    stats = RunStats()
    deliver(ids, token, worker="w1", now=now, stats=stats)
    assert smtp_server.messages == [] and stats.handled == 0
    [n] = _rows()
    assert n.status == NotificationStatus.WITHDRAWN and n.claimed_by is None
    assert n.attempts == 0


def _cancel_when_the_server_takes(
    smtp_server, app, marker: bytes, doc_id: int
) -> list[threading.Thread]:
    """Make the SMTP server start a cancel of ``doc_id`` (a transaction of its own, in a
    thread) when it is handed the message containing ``marker``, and give the cancel half a
    second before it answers. Where the worker holds a lock on that row (PostgreSQL), the
    cancel waits for it instead; join the returned thread before looking at the result."""
    handler = smtp_server.handler
    plain = type(handler).handle_DATA
    started: list[threading.Thread] = []

    async def cancel_during_data(server, session, envelope):
        if marker in bytes(envelope.content) and not started:
            cancel = threading.Thread(target=_cancel_in_another_transaction, args=(app, doc_id))
            started.append(cancel)
            cancel.start()
            cancel.join(0.5)
        return await plain(handler, server, session, envelope)

    handler.handle_DATA = cancel_during_data
    return started


def _after(cancels: list[threading.Thread]) -> None:
    """Wait for the cancel, then deliver what it queued."""
    for cancel in cancels:
        cancel.join(30)
    run_once()


def test_cancelled_while_the_batch_is_being_sent_is_not_sent(app, factory, case, smtp_server):
    """The cancel commits while the worker sends one notice of the batch: the next one,
    loaded with the batch, is checked again just before it would go out."""
    factory.document(case, subject="Första handlingen")
    factory.document(case, subject="Andra handlingen")
    doc = factory.document(case, subject="Tredje handlingen")
    db.session.commit()
    # While the second is sent (the worker holds no lock then; during the first it holds
    # the batch's claim renewal, which the cancel would wait for).
    cancels = _cancel_when_the_server_takes(smtp_server, app, b"Andra handlingen", doc.id)

    stats = run_once()
    [cancel] = cancels
    cancel.join(30)
    assert (stats.delivered, stats.withdrawn) == (2, 1)
    assert len(smtp_server.messages) == 2
    assert [n.status for n in _rows()] == [
        NotificationStatus.DELIVERED,
        NotificationStatus.DELIVERED,
        NotificationStatus.WITHDRAWN,
    ]
    assert run_once().handled == 0  # and no correction: the third notice never went out


def _cancel_in_another_transaction(app, doc_id: int) -> None:
    with app.app_context():
        cancel_document(db.session.get(Document, doc_id), reason="Fel ärende", actor=None)
        db.session.commit()
        db.session.remove()


def test_cancelled_while_the_notice_was_being_sent_is_corrected(app, factory, case, smtp_server):
    """The cancel comes while the SMTP server takes the message: on SQLite it commits then
    and the worker finds the notice withdrawn when it records the delivery; on PostgreSQL it
    waits for the record and finds the notice delivered. Either way the correction follows."""
    factory.document(case, subject="Första handlingen")
    doc = factory.document(case, subject="Andra handlingen")
    db.session.commit()
    # The second of the batch (during the first, the batch's claim renewal holds a lock).
    cancels = _cancel_when_the_server_takes(smtp_server, app, b"Andra handlingen", doc.id)
    run_once()
    _after(cancels)
    notices = _rows(NotificationKind.REGISTRATION)
    assert {n.status for n in notices} == {NotificationStatus.DELIVERED}
    assert len(smtp_server.messages) == 3
    *_, second, correction = smtp_server.messages
    assert b"Andra handlingen" in second.data
    assert doc.number in correction.message["Subject"] and correction.rcpt_tos == [POSTLISTA]
    assert len(_rows(NotificationKind.CORRECTION)) == 1


def test_cancelled_while_a_digest_listing_it_was_being_sent_is_corrected(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    digest_box = _box(factory, "registrator@ange.se", "Registraturen")
    subscribe(actor=None, mailbox=digest_box, case=case, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        doc = factory.document(case, subject="Handling i sammanställningen")
    db.session.commit()
    queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC))
    db.session.commit()
    # The batch: the Postlista's notice, then the digest, cancelled while it is handed over.
    cancels = _cancel_when_the_server_takes(smtp_server, app, b"Registrerade handlingar", doc.id)
    run_once()
    _after(cancels)
    assert len(smtp_server.messages) == 4  # notice, digest, then a correction to each
    corrections = smtp_server.messages[2:]
    assert sorted(m.rcpt_tos[0] for m in corrections) == [POSTLISTA, "registrator@ange.se"]
    assert all(doc.number in m.message["Subject"] for m in corrections)


def test_digests_never_list_a_cancelled_document(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        kept = factory.document(case, subject="Handling som står kvar")
        gone = factory.document(case, subject="Handling som makuleras")
    db.session.commit()
    _cancel(gone)
    assert queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC)) == 1
    db.session.commit()
    run_once()
    [digest] = smtp_server.messages
    text = _text(digest)
    assert kept.number in text and "Handling som står kvar" in text
    assert gone.number not in text and "makuleras" not in text


def test_a_digest_lists_a_moved_document_once_under_its_new_number(app, factory, smtp_server):
    series = factory.series()
    wrong, right = factory.case("Ånge", series=series), factory.case("Bräcke", series=series)
    subscribe(actor=None, mailbox=_box(factory), series=series, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        doc = factory.document(wrong, subject="Lokaler i Bräcke")
        old = doc.number
        move_document(doc, to=right, actor=None, reason="Fel ärende")
    db.session.commit()
    assert queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC)) == 1
    db.session.commit()
    run_once()
    [digest] = smtp_server.messages
    text = _text(digest)
    assert doc.number in text and text.count("Lokaler i Bräcke") == 1
    assert old not in text  # the number it left behind is no news


def test_a_digest_whose_documents_were_all_cancelled_is_withdrawn(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        doc = factory.document(case)
    db.session.commit()
    assert queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC)) == 1
    db.session.commit()
    _cancel(doc)  # queued, not yet composed
    stats = run_once()
    assert smtp_server.messages == [] and stats.withdrawn == 1
    [n] = _rows()
    assert n.status == NotificationStatus.WITHDRAWN


def test_a_waiting_digest_composed_before_the_cancel_is_composed_again(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case, mode="daily")
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        kept = factory.document(case)
        gone = factory.document(case)
    db.session.commit()
    queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC))
    db.session.commit()
    smtp_server.stop()
    assert run_once().retrying == 1  # composed with both documents, then the server was down
    [n] = _rows()
    assert gone.number in n.body_text
    _cancel(gone)
    smtp_server.start()
    assert run_once(now=n.next_attempt_at).delivered == 1
    [digest] = smtp_server.messages
    assert kept.number in _text(digest) and gone.number not in _text(digest)
    assert _rows(NotificationKind.CORRECTION) == []  # nobody had read the first text


def test_outbox_shows_withdrawn_and_cancellation_notices_in_words(
    app, client, login_as, factory, case, smtp_server
):
    told = factory.document(case)
    db.session.commit()
    run_once()
    waiting = factory.document(case)
    db.session.commit()
    _cancel(told)
    _cancel(waiting)
    login_as("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Withdrawn: the document was cancelled before it was sent" in page
    assert "Cancellation notice" in page
    assert ">withdrawn<" not in page and ">correction<" not in page
