"""The SMTP/LMTP gateway, driven by smtplib over loopback against an in-process receiver."""

import contextlib
import smtplib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml, seed_eml

from caseapp.documents import filestore
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail import gateway as gateway_module
from caseapp.mail import inbox
from caseapp.mail.gateway import make_controller
from caseapp.mail.importer import ImportDecision, register_inbox_item


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gateway(app):
    started = []

    def start(*, lmtp: bool = False) -> int:
        port = _free_port()
        controller = make_controller(app, host="127.0.0.1", port=port, lmtp=lmtp)
        controller.start()
        started.append(controller)
        return port

    yield start
    for c in started:
        c.stop()


def _items() -> list[inbox.InboxItem]:
    db.session.rollback()  # see what the gateway's own transactions committed
    return list(db.session.scalars(sa.select(inbox.InboxItem).order_by(inbox.InboxItem.id)))


def test_a_message_is_stored_and_committed_before_250(app, gateway):
    port = gateway()
    mail = make_eml(1)
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        refused = smtp.sendmail("kim@ange.se", ["registrator@statenssc.se"], mail)
        code, _ = smtp.noop()
    assert refused == {} and code == 250
    (item,) = _items()  # committed by the time sendmail returned
    assert item.source == inbox.InboxSource.SMTP
    assert item.envelope_from == "kim@ange.se"
    assert item.envelope_to == "registrator@statenssc.se"
    assert item.subject == "Fråga nummer 1 om servicekontor"
    assert item.message_id == "<test-1@ange.se>"
    assert filestore.get(item.raw_sha256).rstrip(b"\r\n") == mail.rstrip(b"\r\n")


def test_the_seed_by_smtp_becomes_two_documents_in_the_ange_case(app, gateway, world):
    port = gateway()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("ange@ange.se", ["registrator@statenssc.se"], seed_eml())
    (item,) = _items()
    assert item.message_count == 2 and item.parse_error is None
    result = register_inbox_item(item, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    forward, original = result.documents
    assert (forward.kind.value, original.kind.value) == ("forward", "original")
    assert forward.parent_id == original.id and forward.message_id == "<seed-forward@ange.se>"
    assert original.case_id == world.case.id


def test_the_original_pasted_before_is_recognised_in_the_mail_by_smtp(app, gateway, world, seed):
    from caseapp.mail.importer import import_chain
    from caseapp.mail.parse import parse_text

    pasted = import_chain(parse_text(seed.decode()), ImportDecision(case=world.case), actor=None)
    db.session.commit()
    port = gateway()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("ange@ange.se", ["registrator@statenssc.se"], seed_eml())
    (item,) = _items()
    result = register_inbox_item(item, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    # Both are the same messages however they came: the pasted forward's zone-less
    # "12:41:30" is the machine's UTC, as the real Date header says (14:41 in Ånge).
    assert result.documents == []
    assert [result.skipped[i].id for i in (0, 1)] == [d.id for d in pasted.documents]


def test_a_database_failure_answers_451_so_the_sender_retries(app, gateway, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(gateway_module, "store_message", broken)
    port = gateway()
    with smtplib.SMTP("127.0.0.1", port) as smtp, pytest.raises(smtplib.SMTPDataError) as err:
        smtp.sendmail("kim@ange.se", ["registrator@statenssc.se"], make_eml(1))
    assert err.value.smtp_code == 451
    assert _items() == []


def test_mail_over_the_limit_is_refused_with_552(app, gateway):
    app.config["MAIL_MAX_SIZE"] = 2000
    port = gateway()
    big = make_eml(1, body="x" * 5000)
    with (
        smtplib.SMTP("127.0.0.1", port) as smtp,
        pytest.raises(smtplib.SMTPResponseException) as err,
    ):
        smtp.sendmail("kim@ange.se", ["reg@statenssc.se"], big)
    assert err.value.smtp_code == 552
    assert _items() == []


def test_lmtp_delivery(app, gateway):
    port = gateway(lmtp=True)
    lmtp = smtplib.LMTP("127.0.0.1", port)
    try:
        assert lmtp.sendmail("kim@ange.se", ["registrator@statenssc.se"], make_eml(2)) == {}
    finally:
        lmtp.quit()
    (item,) = _items()
    assert item.source == inbox.InboxSource.LMTP
    # Only kept for a registrar, not registered.
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def _hostile_mail(n: int = 200_000) -> bytes:
    """About 2 MB of nested HTML: minutes of work for a parser that is quadratic in it."""
    return (
        b"From: kim@ange.se\r\nTo: registrator@statenssc.se\r\nSubject: Djup\r\n"
        b"Message-ID: <deep@ange.se>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        # one tag a line: SMTP lines are at most 1000 characters
        + b"<div>\r\n" * n
        + b"Hej"
        + b"</div>\r\n" * n
    )


def _deliver(port: int, mail: bytes) -> int:
    """One delivery attempt, as a sending server makes it: the answer's code."""
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:  # then a sender gives up
        try:
            smtp.sendmail("kim@ange.se", ["registrator@statenssc.se"], mail)
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code
    return 250


def _stored_once(deadline: float = 60.0) -> list[inbox.InboxItem]:
    """The items once the gateway's work has ended (work answered 451 goes on a while)."""
    start = time.monotonic()
    items = _items()
    while not items and time.monotonic() - start < deadline:
        time.sleep(0.2)
        items = _items()
    time.sleep(0.5)  # a second copy, were one on its way, would land by now
    return _items()


def test_a_big_hostile_mail_is_answered_and_stored_once_across_retries(app, gateway):
    app.config["MAIL_GATEWAY_TIMEOUT"] = 20  # a loaded test machine may need it
    port = gateway()
    mail = _hostile_mail()
    codes = [_deliver(port, mail) for _ in range(3)]  # the sender's retries, same bytes
    assert set(codes) <= {250, 451}  # each attempt answered in time: stored, or "try later"
    (item,) = _stored_once()
    assert item.subject == "Djup" and item.parse_error is None


def test_work_over_the_timeout_is_deferred_with_451_and_stored_once(app, gateway):
    app.config["MAIL_GATEWAY_TIMEOUT"] = 0.01
    port = gateway()
    mail = _hostile_mail(20_000)
    assert _deliver(port, mail) == 451  # no answer in time: the sender tries again later
    (item,) = _stored_once()  # the work went on and stored it
    app.config["MAIL_GATEWAY_TIMEOUT"] = 60
    port = gateway()
    assert _deliver(port, mail) == 250  # the retry finds it
    assert [i.id for i in _stored_once()] == [item.id]


@pytest.fixture
def look_ups_meet(app):
    """Holds each gateway's look-up for a waiting copy until the other's has run too (at
    most two seconds): two processes receiving the same bytes at the same moment. A
    look-up made under the bytes' lock cannot meet the other's, which waits for the lock."""
    meeting = threading.Barrier(2, timeout=2)

    def meet(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().startswith("SELECT") and "inbox_items.raw_sha256 =" in statement:
            # Broken: the other waits for the lock, and this one goes on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait()

    sa.event.listen(db.engine, "after_cursor_execute", meet)
    yield
    sa.event.remove(db.engine, "after_cursor_execute", meet)


def test_the_same_bytes_at_two_gateways_at_once_are_stored_once(app, gateway, look_ups_meet):
    # Two gateways, each with its own in-process locks, like two processes (or machines).
    ports = [gateway(), gateway()]
    mail = make_eml(7)
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda port: _deliver(port, mail), ports))
    assert codes == [250, 250]
    (item,) = _items()
    assert item.message_id == "<test-7@ange.se>"
