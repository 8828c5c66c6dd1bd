"""A deactivated user gets nothing (issue #9, finding 8): their subscriptions queue no new
notice, and notices queued before the deactivation are not sent.

Users are deactivated through the admin's user form; mail goes through the real worker
to aiosmtpd.
"""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.followups.cli import parse_now
from caseapp.followups.services import create_followup
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.models import Notification, NotificationStatus, SubscriptionMode
from caseapp.notifications.reminders import send_reminders
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once

ADDRESS = "slutat@ange.se"


@pytest.fixture
def leaver(factory):
    return factory.user("officer", email=ADDRESS, name="Slutat Användare")


def _deactivate(client, login_as, user) -> None:
    login_as("admin")
    resp = client.post(
        f"/admin/users/{user.id}/edit", data={"name": user.name, "role": user.role.value}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert not user.active


def _statuses() -> list[NotificationStatus]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification.status).order_by(Notification.id)))


def test_no_notice_is_queued_for_a_deactivated_users_case_subscription(
    app, client, login_as, factory, leaver, smtp_server
):
    case = factory.case()
    subscribe(actor=None, user=leaver, case=case)
    db.session.commit()
    _deactivate(client, login_as, leaver)

    factory.document(case, subject="Ny handling efter avslutad anställning")
    db.session.commit()
    assert _statuses() == []
    run_once()
    assert smtp_server.handler.to(ADDRESS) == []


def test_a_notice_waiting_when_the_user_is_deactivated_is_not_sent(
    app, client, login_as, factory, leaver, smtp_server
):
    case = factory.case()
    subscribe(actor=None, user=leaver, case=case)
    db.session.commit()
    factory.document(case, subject="Handling före avslutad anställning")
    db.session.commit()
    assert _statuses() == [NotificationStatus.QUEUED]

    _deactivate(client, login_as, leaver)
    run_once()
    assert smtp_server.messages == []
    assert _statuses() == [NotificationStatus.WITHDRAWN]


def test_no_digest_for_a_deactivated_user(app, client, login_as, factory, leaver, smtp_server):
    case = factory.case()
    subscribe(actor=None, user=leaver, case=case, mode=SubscriptionMode.DAILY)
    db.session.commit()
    doc = factory.document(case, subject="Handling i dagens sammanställning")
    db.session.commit()
    _deactivate(client, login_as, leaver)

    assert queue_digests(doc.registered_at + timedelta(days=1)) == 0
    run_once()
    assert smtp_server.messages == []


def test_a_reminder_waiting_when_the_user_is_deactivated_is_not_sent(
    app, client, login_as, factory, leaver, smtp_server
):
    case = factory.case(officer=leaver)
    create_followup(case, title="Återkomma", due=date(2021, 10, 29), actor=None, assignee=leaver)
    db.session.commit()
    send_reminders(parse_now("2021-10-29T08:00"))
    db.session.commit()
    assert _statuses() == [NotificationStatus.QUEUED]

    _deactivate(client, login_as, leaver)
    run_once(now=datetime.fromisoformat("2021-10-29T09:00+02:00"))
    assert smtp_server.messages == []
    assert _statuses() == [NotificationStatus.WITHDRAWN]


def test_an_active_user_with_the_same_case_still_hears_of_it(
    app, client, login_as, factory, leaver, smtp_server
):
    stays = factory.user("officer", email="kvar@ange.se")
    case = factory.case()
    subscribe(actor=None, user=leaver, case=case)
    subscribe(actor=None, user=stays, case=case)
    db.session.commit()
    _deactivate(client, login_as, leaver)
    factory.document(case)
    db.session.commit()
    run_once()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["kvar@ange.se"]]
