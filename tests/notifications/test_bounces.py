"""Delivery reports tied to the notice they are about (``bounces.record_bounce``)."""

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.notifications.bounces import record_bounce
from caseapp.notifications.models import AttemptResult, Notification, NotificationStatus
from tests.notifications.conftest import POSTLISTA

USER_UNKNOWN = "smtp; 550 5.1.1 <postlista.kommunstyrelsen@ange.se>: User unknown"


def _bounce(message_id, **kw):
    report = {
        "original_message_id": message_id,
        "recipients": [f"rfc822; {POSTLISTA}"],
        "action": "failed",
        "status": "5.1.1",
        "diagnostic": USER_UNKNOWN,
    } | kw
    return record_bounce(**report)


def test_a_failed_report_marks_the_delivery_failed(app, client, login_as, delivered):
    n = _bounce(delivered.message_id)
    db.session.commit()
    assert n.id == delivered.id
    db.session.expire_all()
    n = db.session.get(Notification, delivered.id)
    assert n.status == NotificationStatus.FAILED
    assert "5.1.1" in n.last_error and "User unknown" in n.last_error
    bounce = n.attempts_log[-1]
    assert (bounce.result, bounce.smtp_code) == (AttemptResult.BOUNCED, 550)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "delivery_report")
    ).one()
    assert (event.entity_type, event.entity_id) == ("Notification", n.id)
    assert event.after["status"] == "failed" and "User unknown" in event.after["report"]

    login_as("admin")
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Failed" in listing and "User unknown" in listing
    detail = client.get(f"/admin/outbox/{n.id}").get_data(as_text=True)
    assert "Returned as undeliverable by the receiving side" in detail
    assert ">bounced<" not in detail


def test_the_message_id_is_found_with_or_without_brackets_and_in_any_case(app, delivered):
    bare = delivered.message_id.strip("<>")
    assert _bounce(bare).id == delivered.id
    assert _bounce(delivered.message_id.upper(), diagnostic="other text").id == delivered.id


def test_a_delayed_report_only_notes_it(app, delivered):
    n = _bounce(delivered.message_id, action="Delayed", status="4.4.7", diagnostic="queued")
    db.session.commit()
    db.session.expire_all()
    n = db.session.get(Notification, delivered.id)
    assert n.status == NotificationStatus.DELIVERED and n.last_error is None
    assert n.attempts_log[-1].result == AttemptResult.DELAYED


def test_unknown_ids_change_nothing(app, delivered):
    before = _snapshot()
    assert _bounce("<someone.else@example.com>") is None
    assert _bounce(None) is None
    assert _bounce("") is None
    assert _bounce("<caseapp.notice.99999.1@localhost>") is None
    db.session.commit()
    assert _snapshot() == before


def _snapshot():
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification)).all()
    audits = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    return [(n.id, n.status, n.attempts, n.last_error, len(n.attempts_log)) for n in rows], audits


def test_the_same_report_twice_is_recorded_once(app, delivered):
    _bounce(delivered.message_id)
    _bounce(delivered.message_id)
    db.session.commit()
    db.session.expire_all()
    n = db.session.get(Notification, delivered.id)
    assert [a.result for a in n.attempts_log] == [AttemptResult.DELIVERED, AttemptResult.BOUNCED]


def test_a_report_about_another_address_keeps_the_notice_delivered(app, delivered):
    """The Postlista got it and sent a copy on to a person whose address bounced."""
    n = _bounce(delivered.message_id, recipients=["rfc822; erik.lovgren@ange.se"])
    db.session.commit()
    assert n.status == NotificationStatus.DELIVERED
    assert "erik.lovgren@ange.se" in n.attempts_log[-1].error


def test_a_report_on_a_notice_sent_again_leaves_it_waiting(app, delivered):
    from caseapp.notifications.outbox import resend

    resend(delivered, actor=None)
    n = _bounce(delivered.message_id)
    assert n.status == NotificationStatus.QUEUED


def test_reports_that_say_it_went_on_change_nothing_and_nonsense_is_refused(app, delivered):
    before = _snapshot()
    for action in ("delivered", "relayed", "expanded"):
        assert _bounce(delivered.message_id, action=action).id == delivered.id
    assert _snapshot() == before
    with pytest.raises(ServiceError):
        _bounce(delivered.message_id, action="exploded")
