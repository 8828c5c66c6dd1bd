"""Shares the follow-up test fixtures (migrations to every head, the loopback SMTP server).

The notification pages' browser test lives in tests/browser: one Playwright per test
session, which a second definition of its session fixtures here would start again."""

import pytest
import sqlalchemy as sa

from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once
from tests.followups.conftest import smtp_server  # noqa: F401

POSTLISTA = "postlista.kommunstyrelsen@ange.se"


@pytest.fixture
def delivered(app, factory, smtp_server) -> Notification:  # noqa: F811 (the fixture)
    """A registration notice to a registry mailbox that the SMTP server accepted."""
    case = factory.case()
    box = create_mailbox(
        address=POSTLISTA,
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )
    subscribe(actor=None, mailbox=box, case=case)
    factory.document(case)
    db.session.commit()
    assert run_once().delivered == 1
    n = db.session.scalar(sa.select(Notification))
    assert n.message_id == smtp_server.messages[0].message["Message-ID"]
    return n
