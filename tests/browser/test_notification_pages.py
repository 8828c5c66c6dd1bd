"""The subscriptions and outbox pages in a real browser: labels, landmarks and axe-core
(WCAG 2.1 AA), with what this feature added on them (checkboxes per subscription, the worker
warnings, withdrawn notices)."""

import re

import pytest
import sqlalchemy as sa

from caseapp.demo import DEMO_PASSWORD
from caseapp.directory.models import Mailbox
from caseapp.documents.services import cancel_document
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once

from .a11y import axe_problems, structure_problems
from .conftest import ADMIN

pytestmark = pytest.mark.browser


def _check(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return structure_problems(page, logged_in=True, lang="sv") + axe_problems(page)


def test_subscription_and_outbox_pages_are_accessible(page, demo, factory):
    case = factory.case()
    box = db.session.scalar(sa.select(Mailbox).order_by(Mailbox.id).limit(1))
    subscribe(actor=None, mailbox=box, case=case)
    told = factory.document(case)
    db.session.commit()
    run_once()
    waiting = factory.document(case)
    db.session.commit()
    for doc in (told, waiting):
        cancel_document(doc, reason="Fel ärende", actor=None)
    db.session.commit()
    nid = db.session.scalar(sa.select(Notification.id).order_by(Notification.id.desc()))

    page.goto("/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/cases/$"))
    problems = []
    for path in (
        "/subscriptions/",
        "/admin/outbox",
        f"/admin/outbox/{nid}",
        f"/cases/{case.number}",
    ):
        problems += _check(page, path)
    assert problems == []
    page.goto("/admin/outbox")
    assert "Ingen utskickstjänst har setts ännu" in page.content()
    assert "Återkallad" in page.content()
