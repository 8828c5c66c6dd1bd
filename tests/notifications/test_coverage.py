"""What a subscription covers: the directions of the documents it is told of."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import downgrade, upgrade

from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents.models import Direction
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.models import Notification, Subscription
from caseapp.notifications.subscriptions import set_directions, subscribe
from caseapp.notifications.worker import run_once

POSTLISTA = "postlista.kommunstyrelsen@ange.se"


def _box(factory, address=POSTLISTA):
    return create_mailbox(
        address=address,
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )


def _told(doc) -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(Notification.recipient_email).where(Notification.document_id == doc.id)
        )
    )


@pytest.fixture
def case_with_both(factory):
    """A case a mailbox and a user (staff) subscribe to, both with the defaults."""
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case)
    officer = factory.user("officer", email="handlaggare@example.org")
    subscribe(actor=None, user=officer, case=case)
    db.session.commit()
    return case


def test_defaults_mailbox_in_and_out_user_everything(app, factory, case_with_both):
    by_kind = {
        "mailbox" if s.mailbox_id else "user": s.directions
        for s in db.session.scalars(sa.select(Subscription))
    }
    assert by_kind == {
        "mailbox": {Direction.IN, Direction.OUT},
        "user": {Direction.IN, Direction.OUT, Direction.INTERNAL},
    }


def test_internal_documents_reach_staff_never_a_mailbox(app, factory, case_with_both):
    incoming = factory.document(case_with_both, direction=Direction.IN)
    outgoing = factory.document(case_with_both, direction=Direction.OUT)
    note = factory.document(case_with_both, direction=Direction.INTERNAL, subject="Anteckning")
    both = [POSTLISTA, "handlaggare@example.org"]
    assert _told(incoming) == _told(outgoing) == sorted(both)
    assert _told(note) == ["handlaggare@example.org"]


def test_a_mailbox_can_never_be_told_of_internal_documents(app, factory):
    case = factory.case()
    box = _box(factory)
    with pytest.raises(ServiceError) as refused:
        subscribe(actor=None, mailbox=box, case=case, directions=["in", "internal"])
    assert refused.value.field == "directions"
    sub = subscribe(actor=None, mailbox=box, case=case)
    with pytest.raises(ServiceError):
        set_directions(sub, [Direction.INTERNAL], actor=None)
    with pytest.raises(ServiceError):
        set_directions(sub, [], actor=None)
    # Nor behind the services' back: the database refuses it.
    sp = db.session.begin_nested()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(Subscription).where(Subscription.id == sub.id).values(covers_internal=True)
        )
    sp.rollback()


def test_changing_directions_changes_what_is_told_and_is_audited(app, factory):
    from caseapp.audit.models import AuditEvent

    case = factory.case()
    sub = subscribe(actor=None, mailbox=_box(factory), case=case)
    set_directions(sub, ["out"], actor=None)
    assert _told(factory.document(case, direction=Direction.IN)) == []
    assert _told(factory.document(case, direction=Direction.OUT)) == [POSTLISTA]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Subscription")
    ).all()[-1]
    assert (event.before, event.after) == ({"directions": ["in", "out"]}, {"directions": ["out"]})


def test_a_digest_lists_only_the_directions_it_covers(app, factory, smtp_server):
    case = factory.case()
    subscribe(actor=None, mailbox=_box(factory), case=case, mode="daily", directions=["in"])
    with time_machine.travel(datetime(2021, 6, 7, 9, 0, tzinfo=UTC), tick=False):
        incoming = factory.document(case, direction=Direction.IN, subject="Fråga från kommunen")
        outgoing = factory.document(case, direction=Direction.OUT, subject="Vårt svar")
        note = factory.document(case, direction=Direction.INTERNAL, subject="Tjänsteanteckning")
    db.session.commit()
    assert queue_digests(datetime(2021, 6, 8, 6, tzinfo=UTC)) == 1
    db.session.commit()
    run_once()
    [digest] = smtp_server.messages
    text = digest.message.get_body(("plain",)).get_content()
    assert incoming.number in text
    assert outgoing.number not in text and note.number not in text
    assert "Tjänsteanteckning" not in text


def test_the_subscriptions_page_edits_what_a_subscription_covers(app, client, login_as, factory):
    case = factory.case()
    sub = subscribe(actor=None, mailbox=_box(factory), case=case)
    staff = subscribe(actor=None, user=factory.user("officer"), case=case)
    login_as("registrar")
    page = client.get("/subscriptions/").get_data(as_text=True)
    assert "Incoming documents" in page and "Outgoing documents" in page
    # Internal documents are offered once: for the user's subscription, not the mailbox's.
    assert page.count('value="internal"') == 1
    assert f'id="sub{staff.id}-directions-2"' in page

    resp = client.post(
        f"/subscriptions/{sub.id}/directions", data={f"sub{sub.id}-directions": "in"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Subscription, sub.id).directions == {Direction.IN}

    # Refused changes are shown on the form, nothing is changed.
    for data in ({}, {f"sub{sub.id}-directions": ["in", "internal"]}):
        resp = client.post(f"/subscriptions/{sub.id}/directions", data=data)
        assert resp.status_code == 400
        db.session.expire_all()
        assert db.session.get(Subscription, sub.id).directions == {Direction.IN}
    assert "Choose at least one kind of document to notify about" in client.post(
        f"/subscriptions/{sub.id}/directions", data={}
    ).get_data(as_text=True)


def test_existing_subscriptions_get_the_defaults_when_migrated(app, factory):
    case = factory.case()
    box_sub = subscribe(actor=None, mailbox=_box(factory), case=case, directions=["out"])
    user_sub = subscribe(actor=None, user=factory.user("officer"), case=case, directions=["in"])
    db.session.commit()
    ids = {"mailbox": box_sub.id, "user": user_sub.id}
    db.session.remove()
    downgrade(revision="0004")  # the rows lose what they covered …
    upgrade()  # … and get what subscriptions covered before: in, out (+ internal for staff)
    covered = {kind: db.session.get(Subscription, sid).directions for kind, sid in ids.items()}
    assert covered == {
        "mailbox": {Direction.IN, Direction.OUT},
        "user": {Direction.IN, Direction.OUT, Direction.INTERNAL},
    }
