"""A notice says what may be said when it is sent, not when it was first tried (issue #9,
finding 1): every attempt and every resend is composed from the document's masked state.

Every test runs the real worker against aiosmtpd on loopback; documents are marked
confidential through the CLI contract ``caseapp documents mark-confidential``.
"""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents.services import cancel_document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications import outbox
from caseapp.notifications.models import Notification, NotificationKind, NotificationStatus
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once

POSTLISTA = "postlista.kommunstyrelsen@ange.se"
PERSONNUMMER = "19121212-1212"
SUBJECT = f"Ansökan {PERSONNUMMER}"
T0 = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def case(factory):
    case = factory.case(title="Bygglov Storgatan 1")
    box = create_mailbox(
        address=POSTLISTA,
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )
    subscribe(actor=None, mailbox=box, case=case)
    db.session.commit()
    return case


def _mark(runner, number: str, provision="OSL 21 kap. 1 §"):
    result = runner.invoke(
        args=["documents", "mark-confidential", number, "--provision", provision]
    )
    db.session.expire_all()
    return result


def _everything(received) -> str:
    """All a recipient sees: the headers and both alternatives."""
    msg = received.message
    parts = [str(v) for v in msg.values()]
    parts += [p.get_content() for p in msg.walk() if not p.is_multipart()]
    return "\n".join(parts)


def test_a_retry_after_the_document_was_marked_confidential_goes_out_masked(
    app, runner, factory, case, smtp_server
):
    app.config["NOTIFY_RETRY_SECONDS"] = 60
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    smtp_server.stop()  # the first attempt fails: nobody listens
    assert run_once(now=T0).retrying == 1
    [n] = db.session.scalars(sa.select(Notification)).all()
    first_id = n.message_id

    result = _mark(runner, doc.number)
    assert result.exit_code == 0, result.output
    assert result.output == ""

    smtp_server.start()
    assert run_once(now=T0 + timedelta(seconds=60)).delivered == 1
    [got] = smtp_server.messages
    text = _everything(got)
    assert PERSONNUMMER not in text
    assert "Sekretessmarkerad handling" in text
    assert doc.number in text
    assert got.message["Message-ID"] == first_id  # still recognisably the same message


def test_a_resend_is_composed_again_masked(
    app, client, login_as, runner, factory, case, smtp_server
):
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    assert run_once().delivered == 1
    assert PERSONNUMMER in _everything(smtp_server.messages[0])  # not confidential then

    assert _mark(runner, doc.number).exit_code == 0
    n = db.session.scalar(sa.select(Notification))
    login_as("admin")
    assert client.post(f"/admin/outbox/{n.id}/resend").status_code == 302
    assert run_once().delivered == 1
    assert len(smtp_server.messages) == 2
    assert PERSONNUMMER not in _everything(smtp_server.messages[1])
    # The outbox page shows the text that went out, not the old one.
    page = client.get(f"/admin/outbox/{n.id}").get_data(as_text=True)
    assert PERSONNUMMER not in page


def test_confidential_before_the_first_attempt_is_composed_masked(
    app, runner, factory, case, smtp_server
):
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    assert _mark(runner, doc.number).exit_code == 0
    assert run_once().delivered == 1
    assert PERSONNUMMER not in _everything(smtp_server.messages[0])


def test_a_cancelled_document_can_be_marked_confidential_and_is_never_announced(
    app, runner, factory, case, smtp_server
):
    app.config["NOTIFY_RETRY_SECONDS"] = 60
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    smtp_server.stop()
    assert run_once(now=T0).retrying == 1
    cancel_document(doc, reason="Fel ärende", actor=None)
    db.session.commit()

    result = _mark(runner, doc.number, provision="OSL 26 kap. 1 §")
    assert result.exit_code == 0, result.output
    assert doc.confidential and doc.legal_basis == "OSL 26 kap. 1 §"
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_id == doc.id, AuditEvent.action == "update")
    ).all()
    assert event.after == {"confidential": True, "legal_basis": "OSL 26 kap. 1 §"}

    smtp_server.start()
    # The waiting retry was withdrawn by the cancel: nothing goes out, now or on a resend.
    assert run_once(now=T0 + timedelta(days=1)).delivered == 0
    [n] = db.session.scalars(sa.select(Notification)).all()
    assert n.status == NotificationStatus.WITHDRAWN
    with pytest.raises(ServiceError):
        outbox.resend(n, actor=None)
    assert smtp_server.messages == []


def test_a_cancelled_confidential_document_is_corrected_without_its_subject(
    app, runner, factory, case, smtp_server
):
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    assert run_once().delivered == 1
    cancel_document(doc, reason=f"Dubblett av {PERSONNUMMER}", actor=None)
    db.session.commit()
    assert _mark(runner, doc.number).exit_code == 0
    assert run_once().delivered == 1
    correction = smtp_server.messages[1]
    kinds = db.session.scalars(sa.select(Notification.kind).order_by(Notification.id)).all()
    assert kinds == [NotificationKind.REGISTRATION, NotificationKind.CORRECTION]
    assert PERSONNUMMER not in _everything(correction)
    assert doc.number in _everything(correction)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["KS 9999/1-1", "--provision", "OSL 21 kap. 1 §"], "no document"),
        (["{number}", "--provision", "   "], "legal basis"),
        (["{number}", "--provision", "x" * 201], "at most 200"),
    ],
)
def test_mark_confidential_refuses_what_it_cannot_do(runner, factory, case, args, message):
    doc = factory.document(case, subject=SUBJECT)
    db.session.commit()
    args = [a.format(number=doc.number) for a in args]
    result = runner.invoke(args=["documents", "mark-confidential", *args])
    assert result.exit_code != 0
    assert message in result.output
    db.session.expire_all()
    assert not doc.confidential
