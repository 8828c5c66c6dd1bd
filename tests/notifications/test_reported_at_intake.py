"""A bounce of one of our notices, arriving as mail, is recorded on the notice at intake:
the outbox shows the notice failed, and nothing waits in the inbox to be registered."""

from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.models import InboxItem, InboxSource, InboxStatus
from caseapp.notifications.models import AttemptResult, Notification, NotificationStatus
from tests.notifications.conftest import POSTLISTA


@pytest.fixture
def sent(delivered, smtp_server) -> bytes:  # noqa: F811 (the fixture)
    """The bytes of the delivered notice, as the SMTP server received them."""
    return smtp_server.messages[0].data


def bounce_of(returned: bytes, *, action="failed", recipient=POSTLISTA) -> bytes:
    """An RFC 3464 report as Postfix writes one, with the whole returned message."""
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.ange.se>\r\n"
        b"To: caseapp@statenssc.se\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Date: Tue, 08 Jun 2021 10:00:00 +0200\r\n"
        + f"Message-ID: {make_msgid(domain='mx.ange.se')}\r\n".encode()
        + b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.ange.se\r\n\r\n"
        + f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: User unknown\r\n".encode()
        + b"--B\r\nContent-Type: message/rfc822\r\n\r\n"
        + returned
        + b"\r\n--B--\r\n"
    )


def _pending() -> list[InboxItem]:
    return list(db.session.scalars(sa.select(InboxItem).where(InboxItem.status == "pending")))


def test_a_bounce_through_the_gateway_marks_the_notice_failed_and_waits_nowhere(
    app, delivered, sent
):
    notice = delivered
    item = inbox.store_message(bounce_of(sent), source=InboxSource.SMTP)
    db.session.commit()

    db.session.expire_all()
    notice = db.session.get(Notification, notice.id)
    assert notice.status == NotificationStatus.FAILED
    assert "User unknown" in notice.last_error
    assert notice.attempts_log[-1].result == AttemptResult.BOUNCED
    item = db.session.get(InboxItem, item.id)
    assert (item.status, item.notification_id) == (InboxStatus.DISCARDED, notice.id)
    assert _pending() == []
    settled = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "settle_report")
    ).one()
    assert (settled.entity_type, settled.entity_id) == ("InboxItem", item.id)


def test_the_same_bounce_twice_is_recorded_once(app, delivered, sent):
    notice = delivered
    data = bounce_of(sent)
    inbox.store_message(data, source=InboxSource.SMTP)
    inbox.store_message(data, source=InboxSource.IMAP)
    db.session.commit()
    bounced = [a for a in notice.attempts_log if a.result == AttemptResult.BOUNCED]
    assert len(bounced) == 1 and _pending() == []


def test_an_upload_of_a_bounce_shows_what_it_was_about(app, client, login_as, sent):
    login_as("registrar")
    response = client.post(
        "/mail/import", data={"text": bounce_of(sent).decode()}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A delivery report about a notice" in page
    assert POSTLISTA in page and "Failed" in page
    assert 'name="indexes"' not in page  # nothing offered to register
    assert "/admin/outbox/" not in page  # the outbox is an administrator's page


def test_a_bounce_of_mail_that_is_not_ours_waits_for_a_registrar(app, delivered, sent):
    notice = delivered
    foreign = sent.replace(notice.message_id.encode(), b"<someone-else@ange.se>")
    inbox.store_message(bounce_of(foreign), source=InboxSource.SMTP)
    db.session.commit()
    (item,) = _pending()
    assert item.automatic == inbox.DELIVERY_REPORT and item.notification_id is None
    assert db.session.get(Notification, notice.id).status == NotificationStatus.DELIVERED


def test_a_delay_report_is_recorded_and_the_notice_stays_delivered(app, delivered, sent):
    notice = delivered
    inbox.store_message(bounce_of(sent, action="delayed"), source=InboxSource.SMTP)
    db.session.commit()
    db.session.expire_all()
    notice = db.session.get(Notification, notice.id)
    assert notice.status == NotificationStatus.DELIVERED
    assert notice.attempts_log[-1].result == AttemptResult.DELAYED
    assert _pending() == []
