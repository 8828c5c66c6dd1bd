"""Masking, subscriptions, digests and unsubscribe links."""

from datetime import UTC, date, datetime
from urllib.parse import quote

import sqlalchemy as sa
import time_machine

from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents.models import Direction
from caseapp.extensions import db
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.masking import mask_document_for_notice
from caseapp.notifications.models import Notification, NotificationKind, Subscription
from caseapp.notifications.subscriptions import subscribe, unsubscribe_token
from caseapp.notifications.worker import run_once


def _box(factory, address="postlista.kommunstyrelsen@ange.se"):
    return create_mailbox(
        address=address,
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )


def test_masking_of_confidential_documents_and_cases(app, factory):
    case = factory.case(title="Etablering")
    open_doc = factory.document(case, subject="Etablering av servicekontor")
    secret = factory.document(
        case, subject="Hemlig säkerhetsplan", confidential=True, legal_basis="OSL 18 kap. 8 §"
    )
    secret_public = factory.document(
        case,
        subject="Hemlig",
        public_title="Skrivelse om lokaler",
        confidential=True,
        legal_basis="OSL 18 kap. 8 §",
    )
    assert mask_document_for_notice(open_doc).title == "Etablering av servicekontor"
    n = mask_document_for_notice(secret)
    assert n.masked and n.title == "Sekretessmarkerad handling"
    assert mask_document_for_notice(secret, "en").title == "Document marked confidential"
    assert mask_document_for_notice(secret_public).title == "Skrivelse om lokaler"

    secret_case = factory.case(
        title="Hemligt ärende", confidential=True, legal_basis="OSL 21 kap. 7 §"
    )
    in_secret_case = factory.document(secret_case, subject="Vanlig rubrik")
    n = mask_document_for_notice(in_secret_case)
    assert n.masked and n.title == "Sekretessmarkerad handling"
    assert n.case_title == "Sekretessmarkerat ärende" and n.case_number == secret_case.number
    assert not hasattr(n, "body_text")


def test_confidential_title_never_reaches_the_mail(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    factory.document(
        case,
        subject="Hemlig säkerhetsplan",
        body_text="Innehåll som inte får läcka",
        confidential=True,
        legal_basis="OSL 18 kap. 8 §",
    )
    db.session.commit()
    run_once()
    [got] = smtp_server.messages
    raw = got.message.as_string() + got.message.get_body(("plain",)).get_content()
    assert "Hemlig säkerhetsplan" not in raw and "Innehåll som inte får läcka" not in raw
    assert "Sekretessmarkerad handling" in got.message["Subject"]


def test_one_notice_per_address_for_overlapping_subscriptions_and_english(app, factory):
    org = factory.organisation(name="Statens servicecenter")
    case = factory.case(organisation=org)
    box = _box(factory)
    subscribe(actor=None, mailbox=box, case=case, language="en")
    subscribe(actor=None, mailbox=box, organisation=org)
    subscribe(actor=None, mailbox=box, series=case.series)
    factory.document(case)
    db.session.commit()
    [n] = db.session.scalars(sa.select(Notification)).all()
    assert n.language == "en"
    run_once()
    db.session.refresh(n)
    assert n.subject.startswith("New document in")


def test_subscribe_is_idempotent_and_needs_one_target(app, factory):
    case = factory.case()
    box = _box(factory)
    a = subscribe(actor=None, mailbox=box, case=case)
    b = subscribe(actor=None, mailbox=box, case=case, mode="daily")
    assert a.id == b.id and b.mode.value == "daily"
    import pytest

    from caseapp.errors import ServiceError

    with pytest.raises(ServiceError):
        subscribe(actor=None, mailbox=box)


def test_daily_digest_once_per_subscription_and_day(app, factory, runner):
    case = factory.case()
    sub = subscribe(actor=None, mailbox=_box(factory), case=case, mode="daily")
    # 23:30 Stockholm on 2021-10-30 is still that day, although UTC is 21:30.
    with time_machine.travel(datetime(2021, 10, 30, 21, 30, tzinfo=UTC), tick=False):
        factory.document(case, subject="Kvällspost")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0  # not immediate
    result = runner.invoke(args=["notifications", "send-digests", "--now", "2021-10-31T06:00"])
    assert result.exit_code == 0 and "1 digest(s) queued" in result.output
    result = runner.invoke(args=["notifications", "send-digests", "--now", "2021-10-31T07:00"])
    assert "0 digest(s) queued" in result.output
    assert queue_digests(datetime(2021, 11, 1, 6, tzinfo=UTC)) == 0  # nothing on the 31st
    [n] = db.session.scalars(sa.select(Notification)).all()
    assert (n.kind, n.digest_date, n.subscription_id) == (
        NotificationKind.DIGEST,
        date(2021, 10, 30),
        sub.id,
    )
    run_once()
    db.session.refresh(n)
    assert "Kvällspost" in n.body_text and "2021-10-30" in n.subject


def test_unsubscribe_link_confirms_then_ends_without_login(app, client, factory):
    case = factory.case()
    sub = subscribe(actor=None, mailbox=_box(factory), case=case)
    db.session.commit()
    token = unsubscribe_token(sub)
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and b"<form" in page.data
    assert db.session.get(Subscription, sub.id).active
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    db.session.expire_all()
    assert not db.session.get(Subscription, sub.id).active
    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    factory.document(case)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_subscription_pages(app, client, login_as, factory):
    case = factory.case()
    box = _box(factory)
    login_as("registrar")
    db.session.commit()
    assert client.get("/subscriptions/").status_code == 200
    resp = client.post(
        "/subscriptions/",
        data={
            "mailbox": box.address,
            "case_number": case.number,
            "mode": "immediate",
            "directions": ["in", "out"],
            "language": "sv",
        },
    )
    assert resp.status_code == 302
    resp = client.post(
        f"/subscriptions/case/{case.id}",
        data={"mailbox": "Postlista KS", "mode": "daily", "directions": ["in"], "language": "sv"},
    )
    assert resp.status_code == 302
    assert client.post(f"/subscriptions/case/{case.id}/follow").status_code == 302
    subs = db.session.scalars(sa.select(Subscription).order_by(Subscription.id)).all()
    assert len(subs) == 2
    assert subs[0].directions == {Direction.IN}  # the case panel's choice replaced the first
    page = client.get("/cases/" + quote(case.number, safe="/")).get_data(as_text=True)
    assert "postlista.kommunstyrelsen@ange.se" in page
    resp = client.post(f"/subscriptions/{subs[0].id}/end")
    assert resp.status_code == 302


def test_readers_cannot_subscribe_mailboxes(app, client, login_as, factory):
    case = factory.case()
    login_as("reader")
    db.session.commit()
    assert client.get("/subscriptions/").status_code == 403
    assert client.post(f"/subscriptions/case/{case.id}", data={}).status_code == 403


def _notices(doc) -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(Notification.recipient_email).where(Notification.document_id == doc.id)
        )
    )


def _count_subscription_queries(app) -> list[str]:
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM subscriptions" in statement:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    return seen


def test_each_registration_sees_the_subscriptions_of_its_moment(app, factory):
    from caseapp.notifications.subscriptions import end_subscription

    case = factory.case()
    first = subscribe(actor=None, mailbox=_box(factory), case=case)
    a = factory.document(case)
    assert _notices(a) == ["postlista.kommunstyrelsen@ange.se"]
    # A subscription added in the same transaction counts for the next document …
    other = _box(factory, address="registrator@ange.se")
    subscribe(actor=None, mailbox=other, series=case.series)
    c = factory.document(case)
    assert _notices(c) == ["postlista.kommunstyrelsen@ange.se", "registrator@ange.se"]
    # … and one ended in it no longer does.
    end_subscription(first, actor=None)
    d = factory.document(case)
    assert _notices(d) == ["registrator@ange.se"]


def test_a_bulk_run_reads_the_subscriptions_of_a_case_once_per_transaction(app, factory):
    from caseapp.documents.models import Direction
    from caseapp.documents.services import DocumentDraft, register_document
    from caseapp.mail.bulk import BulkWriter

    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    db.session.commit()
    queries = _count_subscription_queries(app)
    writer = BulkWriter()

    def register():
        draft = DocumentDraft(direction=Direction.IN, subject="Handling")
        return register_document(case, draft, actor=None, writer=writer)

    a, b = register(), register()
    assert len(queries) == 1  # the second document of the transaction asks no more
    assert _notices(a) == _notices(b) == ["postlista.kommunstyrelsen@ange.se"]
    db.session.commit()
    writer.forget()  # the run's transaction ended: others may have changed them meanwhile
    c = register()
    assert len(queries) == 2 and _notices(c) == ["postlista.kommunstyrelsen@ange.se"]


def test_a_rolled_back_subscription_notifies_nobody(app, factory):
    case = factory.case()
    db.session.commit()
    sp = db.session.begin_nested()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    assert _notices(factory.document(case)) == ["postlista.kommunstyrelsen@ange.se"]
    sp.rollback()
    assert _notices(factory.document(case)) == []
