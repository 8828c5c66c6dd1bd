"""Nothing confidential leaves (issue #9, findings 1 and 2), as a property: a secret put in
every text field of a case, its documents, their parties and a follow-up never appears in
any text that leaves the system once the document (or the case) is marked confidential —
whenever the marking comes (before the first attempt, or between a failed attempt and the
retry), in Swedish and in English.

Every outgoing text is produced for real: registration notices (to a registry mailbox and to
a user), a daily digest, a cancellation notice, reminder and escalation mail, all through
the worker to aiosmtpd, and the follow-up's iCalendar feed over HTTP.
"""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.cases.services import update_case
from caseapp.directory.models import MailboxKind
from caseapp.directory.services import create_mailbox
from caseapp.documents.models import PartyRole
from caseapp.documents.services import PartyInput, cancel_document, mark_confidential
from caseapp.extensions import db
from caseapp.followups import ical
from caseapp.followups.services import await_reply
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.models import Notification, NotificationKind, SubscriptionMode
from caseapp.notifications.reminders import send_reminders
from caseapp.notifications.subscriptions import subscribe
from caseapp.notifications.worker import run_once
from caseapp.timeutil import STOCKHOLM
from tests.conftest import _empty_all_tables

# Letters and digits only, so that no encoding on the way (RFC 2047 headers, quoted-
# printable, HTML entities, iCalendar escapes) can hide a leak from a plain search.
SECRETS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ0123456789", min_size=4, max_size=40)
SENT = {
    NotificationKind.REGISTRATION,
    NotificationKind.DIGEST,
    NotificationKind.CORRECTION,
    NotificationKind.REMINDER,
}


def _unfold_ical(body: str) -> str:
    """The feed's text as a reader sees it: folded lines joined, escapes undone."""
    text = body.replace("\r\n ", "").replace("\r\n\t", "")
    for escaped, plain in (("\\n", "\n"), ("\\,", ","), ("\\;", ";"), ("\\\\", "\\")):
        text = text.replace(escaped, plain)
    return text


def _mail_text(received) -> str:
    msg = received.message
    parts = [str(v) for v in msg.values()]
    parts += [p.get_content() for p in msg.walk() if not p.is_multipart()]
    return "\n".join(parts)


def _document(factory, case, secret: str):
    return factory.document(
        case,
        subject=f"Ansökan {secret}",
        body_text=f"Brevet handlar om {secret}.",
        body_html=f"<p>Brevet handlar om {secret}.</p>",
        parties=[
            PartyInput(PartyRole.FROM, f"Sökande {secret}", "sokande@example.org"),
            PartyInput(PartyRole.TO, f"Mottagare {secret}", "registrator@ange.se"),
        ],
    )


def _world(factory, secret: str, level: str, lang: str):
    """A case with subscribers of every kind, two documents and a follow-up awaiting a
    reply; the secret in every text field that the marking makes confidential."""
    officer = factory.user("officer", email="handlaggare@ange.se", name="Hanna Handläggare")
    user = factory.user("officer", email="kollega@ange.se", name="Kalle Kollega")
    title = f"Ärende om {secret}" if level == "case" else "Bygglov Storgatan 1"
    description = f"Beskrivning {secret}" if level == "case" else None
    case = factory.case(title=title, description=description, officer=officer)
    box = create_mailbox(
        address="postlista.ks@ange.se",
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=factory.organisation(),
        actor=None,
    )
    subscribe(actor=None, mailbox=box, case=case, language=lang)
    subscribe(actor=None, user=user, case=case, language=lang)
    subscribe(actor=None, user=officer, case=case, mode=SubscriptionMode.DAILY, language=lang)
    awaited = _document(factory, case, secret)
    cancelled = _document(factory, case, secret)
    due = (awaited.registered_at.astimezone(STOCKHOLM) + timedelta(days=14)).date()
    followup = await_reply(awaited, due=due, actor=None, assignee=officer)
    db.session.commit()
    return case, awaited, cancelled, followup, officer


def _mark(level: str, case, docs) -> None:
    if level == "case":
        update_case(
            case, version=case.version, actor=None, confidential=True, legal_basis="OSL 26:1"
        )
    else:
        for doc in docs:
            mark_confidential(doc, provision="OSL 21 kap. 1 §", actor=None)
    db.session.commit()


def _at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), STOCKHOLM)


@pytest.fixture
def fresh(app, smtp_server):
    """Called at the start of every example: an empty database and mailbox."""

    def reset() -> None:
        db.session.rollback()
        _empty_all_tables()
        smtp_server.handler.messages.clear()
        app.config.update(FOLLOWUP_REMINDER_STAGES=[0], FOLLOWUP_ESCALATION_STAGE=7)

    return reset


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    secret=SECRETS,
    level=st.sampled_from(["document", "case"]),
    when=st.sampled_from(["before the first attempt", "after a failed attempt"]),
    lang=st.sampled_from(["sv", "en"]),
)
def test_no_outgoing_text_carries_a_confidential_secret(
    app, client, factory, smtp_server, fresh, secret, level, when, lang
):
    fresh()
    secret = f"Hemligt{secret}"
    case, awaited, cancelled, followup, officer = _world(factory, secret, level, lang)
    docs = [awaited, cancelled]
    if when == "after a failed attempt":
        smtp_server.stop()
        assert run_once().retrying == 4  # mailbox and user, for each of the two documents
        _mark(level, case, docs)
        smtp_server.start()
    else:
        _mark(level, case, docs)
    later = _at(followup.due) - timedelta(days=7)
    assert run_once(now=later).delivered == 4

    cancel_document(cancelled, reason=f"Fel ärende: {secret}", actor=None)
    queue_digests(_at(awaited.registered_at.astimezone(STOCKHOLM).date() + timedelta(days=1)))
    send_reminders(_at(followup.due))
    send_reminders(_at(followup.due + timedelta(days=7)))
    db.session.commit()
    run_once(now=_at(followup.due + timedelta(days=8)))

    kinds = set(db.session.scalars(sa.select(Notification.kind)))
    assert kinds == SENT  # every kind of mail was produced, so every kind was searched
    texts = [_mail_text(m) for m in smtp_server.messages]
    assert len(texts) == db.session.scalar(sa.select(sa.func.count(Notification.id)))

    token = ical.issue_calendar_token(officer)
    db.session.commit()
    with app.test_request_context():
        feed_url = url_for("followups.ical_feed", token=token)
    feed = client.get(feed_url)
    assert feed.status_code == 200
    texts.append(_unfold_ical(feed.get_data(as_text=True)))
    assert case.number in texts[-1]  # the follow-up is in the feed, masked

    leaked = [text for text in texts if secret.lower() in text.lower()]
    assert leaked == []
