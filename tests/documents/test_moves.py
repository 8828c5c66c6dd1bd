"""Moving a document to the right case (omregistrering): new number, old number kept."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm.exc import StaleDataError

from caseapp.audit.models import AuditEvent
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents import filestore
from caseapp.documents.models import Document, DocumentKind
from caseapp.documents.services import (
    AttachmentInput,
    cancel_document,
    get_document,
    move_document,
    update_document,
)
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.followups.services import await_reply, create_followup
from caseapp.notifications.models import Notification, NotificationStatus
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once
from caseapp.signals import document_moved

RAW = b"From: paul.larsson@statenssc.se\r\nSubject: Etablering\r\n\r\nHej!\r\n"


@pytest.fixture
def cases(factory):
    wrong = factory.case("Ånge kommun", series=factory.series("SSC"))
    right = factory.case("Bräcke kommun", series=factory.series("SSC"))
    return wrong, right


def numbers(case) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Document.number).where(Document.case_id == case.id).order_by(Document.seq)
        )
    )


def test_the_document_gets_the_next_number_and_its_old_number_stays_taken(factory, cases):
    wrong, right = cases
    factory.document(right)
    factory.document(wrong)
    doc = factory.document(wrong, subject="Bräcke: lokaler")
    factory.document(wrong)
    doc_id, old = doc.id, doc.number
    moved = move_document(doc, to=right, actor=None, reason="Gäller Bräcke")
    db.session.commit()

    assert moved is doc and doc.id == doc_id  # same row, same identity
    assert (doc.case, doc.number) == (right, f"{right.number}-2")
    # Both cases stay gapless: the old number is a row of the old case, leading on.
    assert numbers(wrong) == [f"{wrong.number}-{n}" for n in (1, 2, 3)]
    assert numbers(right) == [f"{right.number}-1", f"{right.number}-2"]
    kept = get_document(old)
    assert kept.id != doc_id and kept.is_moved and kept.moved_to is doc
    assert (kept.case, kept.subject, kept.move_reason) == (
        wrong,
        "Bräcke: lokaler",
        "Gäller Bräcke",
    )
    assert kept.moved_at is not None and not kept.parties and not kept.attachments
    # Never reused: the old case's next document gets a new number.
    assert factory.document(wrong).number == f"{wrong.number}-4"
    assert factory.document(right).number == f"{right.number}-3"


def test_parties_and_files_stay_with_the_document(factory, cases):
    wrong, right = cases
    doc = factory.document(
        wrong,
        original=RAW,
        original_filename="mail.eml",
        attachments=[AttachmentInput("karta.pdf", "application/pdf", b"%PDF-1.4 karta")],
    )
    parties = [(p.role, p.name, p.address) for p in doc.parties]
    move_document(doc, to=right, actor=None)
    db.session.commit()
    db.session.expire_all()
    doc = get_document(f"{right.number}-1")
    assert [(p.role, p.name, p.address) for p in doc.parties] == parties
    assert filestore.get(doc.original_sha256) == RAW
    assert filestore.get(doc.attachments[0].sha256) == b"%PDF-1.4 karta"


def test_follow_ups_and_notices_follow_a_sent_notice_stays_sent(app, factory, cases):
    wrong, right = cases
    box = create_mailbox(
        address="postlista@ange.se",
        name="Postlista",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )
    subscribe(actor=None, mailbox=box, case=wrong)
    sent_doc = factory.document(wrong)
    db.session.commit()
    run_once()  # the first notice goes out (caught: no SMTP server in tests)
    queued_doc = factory.document(wrong, subject="Andra")
    promise = create_followup(
        wrong, title="Återkomma", due=date(2021, 10, 29), actor=None, document=queued_doc
    )
    own = create_followup(wrong, title="Ärendets egen", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    sent = db.session.scalar(sa.select(Notification).where(Notification.document_id == sent_doc.id))
    assert sent.status == NotificationStatus.CAUGHT

    move_document(sent_doc, to=right, actor=None)
    move_document(queued_doc, to=right, actor=None)
    db.session.commit()
    db.session.expire_all()
    notices = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert [(n.case_id, n.status) for n in notices] == [
        (right.id, NotificationStatus.CAUGHT),
        (right.id, NotificationStatus.QUEUED),
    ]
    assert db.session.get(FollowUp, promise.id).case_id == right.id
    assert db.session.get(FollowUp, own.id).case_id == wrong.id  # not made from the document


def test_one_readable_audit_event_in_each_case(factory, cases):
    wrong, right = cases
    doc = factory.document(wrong)
    create_followup(wrong, title="Återkomma", due=date(2021, 10, 29), actor=None, document=doc)
    registrar = factory.user("registrar", name="Rut Registrator")
    move_document(doc, to=right, actor=registrar, reason="Fel kommun")
    db.session.commit()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(["move_out", "move_in"]))
    ).all()
    summary = f"{wrong.number}-1 → {right.number}-1"
    by_case = {e.case_id: e for e in events}
    assert len(events) == 2 and set(by_case) == {wrong.id, right.id}
    out, into = by_case[wrong.id], by_case[right.id]
    assert (out.action, out.summary, out.actor_id, out.entity_id) == (
        "move_out",
        summary,
        registrar.id,
        doc.id,
    )
    assert out.after == {
        "to_case": right.number,
        "documents": [summary],
        "followups": ["Återkomma"],
        "reason": "Fel kommun",
    }
    assert (into.action, into.summary, into.after["from_case"]) == (
        "move_in",
        summary,
        wrong.number,
    )


def test_a_forward_moves_with_the_original_it_wraps(factory, cases):
    wrong, right = cases
    unrelated = factory.document(wrong)
    original = factory.document(wrong, kind=DocumentKind.ORIGINAL)
    forward = factory.document(wrong, kind=DocumentKind.FORWARD, parent=original)
    reply = factory.document(wrong, kind=DocumentKind.REPLY, parent=forward)
    move_document(forward, to=right, actor=None)
    db.session.commit()
    # The whole chain, in its old order; the links stay inside one case.
    assert [original.number, forward.number, reply.number] == [
        f"{right.number}-{n}" for n in (1, 2, 3)
    ]
    assert forward.parent is original and reply.parent is forward
    assert unrelated.case == wrong
    assert [get_document(f"{wrong.number}-{n}").moved_to for n in (2, 3, 4)] == [
        original,
        forward,
        reply,
    ]
    # Moving the original takes its forward along just the same.
    move_document(original, to=wrong, actor=None)
    assert [original.number, forward.number, reply.number] == [
        f"{wrong.number}-{n}" for n in (5, 6, 7)
    ]


def test_refused_moves_change_nothing(factory, cases):
    wrong, right = cases
    doc = factory.document(wrong)
    with pytest.raises(ServiceError, match="already"):
        move_document(doc, to=wrong, actor=None)
    cancelled = factory.document(wrong)
    cancel_document(cancelled, reason="Dubblett", actor=None)
    with pytest.raises(ServiceError, match="cancelled document cannot be moved"):
        move_document(cancelled, to=right, actor=None)
    forward = factory.document(wrong, kind=DocumentKind.FORWARD, parent=cancelled)
    with pytest.raises(ServiceError, match="is cancelled"):
        move_document(forward, to=right, actor=None)
    db.session.commit()
    assert numbers(right) == []
    assert forward.case == wrong and doc.case == wrong
    # No number of the target case was used up by the refusals.
    assert factory.document(right).number == f"{right.number}-1"


def test_an_old_number_is_not_a_document(factory, cases):
    wrong, right = cases
    doc = factory.document(wrong)
    move_document(doc, to=right, actor=None)
    kept = get_document(f"{wrong.number}-1")
    for change in (
        lambda: move_document(kept, to=right, actor=None),
        lambda: cancel_document(kept, reason="x", actor=None),
        lambda: update_document(kept, version=kept.version, actor=None, subject="x"),
        lambda: factory.document(wrong, kind=DocumentKind.REPLY, parent=kept),
    ):
        with pytest.raises(ServiceError, match=f"moved to {right.number}-1"):
            change()


def test_an_old_number_leads_to_where_the_document_is_now(factory, cases):
    wrong, right = cases
    third = factory.case("Ragunda kommun", series=wrong.series)
    doc = factory.document(wrong)
    move_document(doc, to=right, actor=None)
    move_document(doc, to=third, actor=None)
    db.session.commit()
    assert get_document(f"{wrong.number}-1").moved_to is doc
    assert get_document(f"{right.number}-1").moved_to is doc
    assert doc.number == f"{third.number}-1"


def test_a_reply_offer_is_withdrawn_when_the_reply_moves_away(factory, cases):
    wrong, right = cases
    incoming = factory.document(wrong, message_id="<fraga@statenssc.se>")
    awaiting = await_reply(incoming, due=date(2021, 11, 15), actor=None)
    # Recognised as the answer by its In-Reply-To, not linked as a reply.
    answer = factory.document(wrong, in_reply_to="<fraga@statenssc.se>")
    assert awaiting.reply_document is answer
    move_document(factory.document(wrong), to=right, actor=None)  # another document
    assert awaiting.reply_document is answer
    move_document(answer, to=right, actor=None)
    assert awaiting.reply_document is None and awaiting.case == wrong


def test_a_reply_offer_stays_when_the_reply_moves_with_what_it_answers(factory, cases):
    wrong, right = cases
    incoming = factory.document(wrong)
    awaiting = await_reply(incoming, due=date(2021, 11, 15), actor=None)
    reply = factory.document(wrong, kind=DocumentKind.REPLY, parent=incoming)
    assert awaiting.reply_document is reply
    move_document(reply, to=right, actor=None)
    assert incoming.case == right and awaiting.case == right
    assert awaiting.reply_document is reply


def test_a_move_based_on_a_stale_document_is_refused(factory, cases):
    wrong, right = cases
    doc = factory.document(wrong)
    db.session.commit()
    db.session.execute(
        sa.text("UPDATE documents SET version = version + 1 WHERE id = :id"), {"id": doc.id}
    )
    with pytest.raises(StaleDataError):
        move_document(doc, to=right, actor=None)
    db.session.rollback()
    assert numbers(right) == []


def test_the_signal_names_every_document_that_moved(factory, cases):
    wrong, right = cases
    original = factory.document(wrong, kind=DocumentKind.ORIGINAL)
    forward = factory.document(wrong, kind=DocumentKind.FORWARD, parent=original)
    heard = []

    def listener(_sender=None, **kw):
        heard.append(kw)

    document_moved.connect(listener)
    try:
        move_document(forward, to=right, actor=None)
    finally:
        document_moved.disconnect(listener)
    [kw] = heard
    assert kw["document"] is forward and kw["documents"] == [original, forward]
    assert (kw["from_case"], kw["to_case"]) == (wrong, right)


def test_a_downgrade_below_the_move_would_lose_it_and_refuses(app, factory, cases, capfd):
    wrong, right = cases
    old = factory.document(wrong).number
    move_document(get_document(old), to=right, actor=None)
    db.session.commit()
    db.session.remove()
    try:
        with pytest.raises(SystemExit):  # how Flask-Migrate ends a refused command
            downgrade(revision="0004")
        assert "a downgrade below 0006 would lose where they went" in capfd.readouterr().err
        db.session.remove()
        assert get_document(old).is_moved
    finally:
        # The later revisions were undone before 0006 refused (on SQLite, DDL is not
        # transactional): back to the head for the tests that share this database.
        db.session.remove()
        upgrade()
