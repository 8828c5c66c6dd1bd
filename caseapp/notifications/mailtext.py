"""Composing notification mail: the words (Swedish or English templates) and the links.

Composition happens in the worker at every attempt (a resend and a retry included), from the
records as they stand then, so a document marked confidential or cancelled since an earlier
attempt is masked or withdrawn; every attempt keeps the row's Message-ID (``message.py``
builds it). The text of the latest attempt is kept on the row, for the outbox pages.

Links are absolute, from ``BASE_URL``; a recipient outside the organisation, who cannot
log in, gets no link to a page that needs a login (the mail says so).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from caseapp.extensions import db
from caseapp.followups.models import FollowUp, Reminder
from caseapp.links import case_url, document_url, external_url
from caseapp.masking import (
    mask_cancellation_for_notice,
    mask_document_for_notice,
    mask_followup_for_notice,
)
from caseapp.notifications.audience import Audience
from caseapp.notifications.digests import digest_documents
from caseapp.notifications.models import Notification, NotificationKind, Subscription
from caseapp.notifications.outbox import clean_header_text
from caseapp.notifications.subscriptions import unsubscribe_token

WEEKDAYS = {
    "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
DIRECTIONS = {
    "sv": {"in": "Inkommande", "out": "Utgående", "internal": "Upprättad"},
    "en": {"in": "Incoming", "out": "Outgoing", "internal": "Internal"},
}


class NothingToSend(Exception):
    """The notice has nothing left to say (its document was cancelled, or every document of a
    digest was), or nobody left to say it to (its user was deactivated): it is withdrawn,
    not sent."""


@dataclass
class Composed:
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    # The documents the mail tells of (a digest's list): a worker checks them when it records
    # the delivery, for a cancel that came while it was sending.
    document_ids: list[int] = field(default_factory=list)


# ------------------------------------------------------------------ links


def unsubscribe_url(sub: Subscription) -> str:
    return external_url("notifications.unsubscribe", token=unsubscribe_token(sub))


# ------------------------------------------------------------------ words


def long_date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{WEEKDAYS[lang][day.weekday()]} {day.isoformat()}"


def _render(kind: str, lang: str, ext: str, ctx: dict):
    template = current_app.jinja_env.get_template(f"notifications/mail/{lang}/{kind}.{ext}")
    return template.make_module(ctx)


def _registration(n: Notification, ctx: dict) -> None:
    if n.document.is_cancelled:
        raise NothingToSend(n.document.number)
    ctx["notice"] = mask_document_for_notice(n.document, ctx["lang"])
    ctx["link"] = case_url(n.document.case, external=True) if ctx["inside"] else None
    ctx["document_ids"] = [n.document_id]


def _digest(n: Notification, ctx: dict) -> None:
    docs = digest_documents(n.subscription, n.digest_date)
    if not docs:
        raise NothingToSend(f"digest {n.digest_date}")
    ctx["day"] = n.digest_date
    ctx["notices"] = [mask_document_for_notice(d, ctx["lang"]) for d in docs]
    ctx["link"] = None
    ctx["document_ids"] = [d.id for d in docs]


def _correction(n: Notification, ctx: dict) -> None:
    ctx["notice"] = mask_cancellation_for_notice(n.document)
    ctx["link"] = document_url(n.document, external=True) if ctx["inside"] else None


def _reminder(n: Notification, ctx: dict) -> None:
    fu = db.session.get(FollowUp, n.followup_id)
    reminder = db.session.get(Reminder, n.reminder_id) if n.reminder_id else None
    case = fu.case
    # Mail leaves the house: the title of a follow-up in a confidential case, or made from
    # a confidential document ("Svar väntas: <subject>"), stays inside.
    notice = mask_followup_for_notice(fu)
    ctx["title"] = notice.title
    ctx["case_number"] = notice.case_number
    ctx["stage"] = reminder.stage if reminder else 0
    ctx["escalation"] = bool(reminder and reminder.escalation)
    ctx["due"] = notice.due
    ctx["assignee"] = fu.assignee_label
    ctx["link"] = case_url(case, external=True) if ctx["inside"] else None


_KINDS = {
    NotificationKind.REGISTRATION: _registration,
    NotificationKind.DIGEST: _digest,
    NotificationKind.CORRECTION: _correction,
    NotificationKind.REMINDER: _reminder,
}


def _context(n: Notification, audience: Audience) -> dict:
    lang = n.language
    ctx: dict = {
        "lang": lang,
        "recipient_name": n.recipient_name or n.recipient_email,
        "directions": DIRECTIONS[lang],
        "long_date": lambda d: long_date(d, lang),
        "unsubscribe_url": None,
        "inside": audience.can_log_in(n),
        "document_ids": [],
    }
    if n.subscription is not None:
        ctx["unsubscribe_url"] = unsubscribe_url(n.subscription)
        ctx["subscription"] = n.subscription
    _KINDS[n.kind](n, ctx)
    return ctx


def compose(n: Notification, audience: Audience | None = None) -> Composed:
    """Subject, text and HTML for ``n`` in the recipient's language (Swedish by default);
    links to login pages only for a recipient ``audience`` says can log in (default: asked
    for this recipient alone).

    Raises ``NothingToSend`` for a notice of a cancelled document, for a digest whose
    documents were all cancelled, and for a notice to a deactivated user.
    """
    audience = audience or Audience.of([n.recipient_email])
    if audience.is_deactivated(n):
        raise NothingToSend(f"deactivated user {n.recipient_email}")
    kind = n.kind.value
    lang = n.language if n.language in ("sv", "en") else "sv"
    n.language = lang
    ctx = _context(n, audience)
    text = _render(kind, lang, "txt", ctx)
    html = _render(kind, lang, "html", ctx)
    return Composed(
        subject=clean_header_text(getattr(text, "subject", "") or "caseapp", 250),
        text=str(text).strip() + "\n",
        html=str(html),
        unsubscribe_url=ctx["unsubscribe_url"],
        document_ids=ctx["document_ids"],
    )
