"""Composing notification mail: the words (Swedish or English templates), the links, and a
header block that cannot be injected into.

Composition happens in the worker on the first attempt and the result is stored on the row,
so every retry sends the very same message with the same Message-ID.
"""

from dataclasses import dataclass
from datetime import date
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app

from caseapp.cases.models import Case
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.followups.models import FollowUp, Reminder
from caseapp.links import case_url, external_url
from caseapp.notifications.masking import mask_document_for_notice
from caseapp.notifications.models import Notification, NotificationKind, Subscription
from caseapp.notifications.outbox import checked_address, clean_header_text
from caseapp.notifications.subscriptions import subscription_case_filter, unsubscribe_token
from caseapp.timeutil import local_day_bounds

WEEKDAYS = {
    "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
DIRECTIONS = {
    "sv": {"in": "Inkommande", "out": "Utgående", "internal": "Upprättad"},
    "en": {"in": "Incoming", "out": "Outgoing", "internal": "Internal"},
}


@dataclass
class Composed:
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


# ------------------------------------------------------------------ links


def unsubscribe_url(sub: Subscription) -> str:
    return external_url("notifications.unsubscribe", token=unsubscribe_token(sub))


# ------------------------------------------------------------------ words


def long_date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    if lang == "en":
        return f"{WEEKDAYS['en'][day.weekday()]} {day.isoformat()}"
    return f"{WEEKDAYS['sv'][day.weekday()]} {day.isoformat()}"


def _render(kind: str, lang: str, ext: str, ctx: dict):
    template = current_app.jinja_env.get_template(f"mail/{lang}/{kind}.{ext}")
    return template.make_module(ctx)


def digest_documents(sub: Subscription, day: date) -> list[Document]:
    """The documents registered on ``day`` (Stockholm) that ``sub`` covers, in number order."""
    start, end = local_day_bounds(day)
    return list(
        db.session.scalars(
            sa.select(Document)
            .join(Case, Document.case_id == Case.id)
            .where(
                Document.registered_at >= start,
                Document.registered_at < end,
                Document.cancelled_at.is_(None),
                subscription_case_filter(sub),
            )
            .order_by(Case.number, Document.seq)
        )
    )


def _context(n: Notification) -> dict:
    lang = n.language
    ctx: dict = {
        "lang": lang,
        "recipient_name": n.recipient_name or n.recipient_email,
        "directions": DIRECTIONS[lang],
        "long_date": lambda d: long_date(d, lang),
        "unsubscribe_url": None,
    }
    if n.subscription is not None:
        ctx["unsubscribe_url"] = unsubscribe_url(n.subscription)
        ctx["subscription"] = n.subscription
    if n.kind == NotificationKind.REGISTRATION:
        ctx["notice"] = mask_document_for_notice(n.document, lang)
        ctx["link"] = case_url(n.document.case, external=True)
    elif n.kind == NotificationKind.DIGEST:
        docs = digest_documents(n.subscription, n.digest_date)
        ctx["day"] = n.digest_date
        ctx["notices"] = [mask_document_for_notice(d, lang) for d in docs]
        ctx["link"] = None
    elif n.kind == NotificationKind.REMINDER:
        fu = db.session.get(FollowUp, n.followup_id)
        reminder = db.session.get(Reminder, n.reminder_id) if n.reminder_id else None
        case = fu.case
        ctx["followup"] = fu
        # Mail leaves the house: a confidential case's follow-up titles stay inside.
        ctx["title"] = None if case.confidential else fu.title
        ctx["case_number"] = case.number
        ctx["stage"] = reminder.stage if reminder else 0
        ctx["escalation"] = bool(reminder and reminder.escalation)
        ctx["due"] = fu.due
        ctx["assignee"] = fu.assignee_label
        ctx["link"] = case_url(case, external=True)
    return ctx


def compose(n: Notification) -> Composed:
    """Subject, text and HTML for ``n`` in the recipient's language (Swedish by default)."""
    kind = n.kind.value
    lang = n.language if n.language in ("sv", "en") else "sv"
    n.language = lang
    ctx = _context(n)
    text = _render(kind, lang, "txt", ctx)
    html = _render(kind, lang, "html", ctx)
    return Composed(
        subject=clean_header_text(getattr(text, "subject", "") or "caseapp", 250),
        text=str(text).strip() + "\n",
        html=str(html),
        unsubscribe_url=ctx["unsubscribe_url"],
    )


# ------------------------------------------------------------------ the message


def sender_address() -> Address:
    configured = current_app.config.get("MAIL_DEFAULT_SENDER") or "caseapp@localhost"
    if isinstance(configured, tuple | list):
        name, addr = configured
    else:
        name, addr = parseaddr(str(configured))
    return Address(display_name=clean_header_text(name, 200), addr_spec=addr.strip())


def message_id_for(n: Notification, sender: Address | None = None) -> str:
    """A Message-ID that stays the same for every attempt at this row (a retry after a lost
    reply is then recognisable as the same message)."""
    domain = (
        current_app.config.get("NOTIFY_MESSAGE_ID_DOMAIN") or (sender or sender_address()).domain
    )
    stamp = int(n.created_at.timestamp()) if n.created_at else 0
    return f"<caseapp.notice.{n.id}.{stamp}@{clean_header_text(domain, 200) or 'localhost'}>"


def _mailbox(name: str | None, address: str) -> str:
    """``Name <address>`` for a header: the name cleaned of CR/LF and control characters,
    quoted or RFC 2047-encoded by ``formataddr``; the address one checked addr-spec."""
    return formataddr((clean_header_text(name, 200), checked_address(address)), charset="utf-8")


def _sender(sender: Address) -> str:
    # Our own configured address (may be caseapp@localhost in development): cleaned, and
    # already a parsed addr-spec.
    return formataddr(
        (clean_header_text(sender.display_name, 200), clean_header_text(sender.addr_spec, 254)),
        charset="utf-8",
    )


def build_message(
    n: Notification, unsubscribe: str | None = None, sender: Address | None = None
) -> Message:
    """The MIME message for a composed notification (text and HTML alternatives).

    Every header value is cleaned of CR/LF before it is set, names and the subject are
    encoded (``formataddr``/``Header``), and the address must be one plain addr-spec, so
    nothing can add a header or a recipient. (The compat32 classes are used because they
    are several times faster than ``EmailMessage``'s header registry, and the worker sends
    hundreds of messages a second.)
    """
    sender = sender or sender_address()
    text = MIMEText(n.body_text or "", "plain", "utf-8")
    if n.body_html:
        msg = MIMEMultipart("alternative")
        msg.attach(text)
        msg.attach(MIMEText(n.body_html, "html", "utf-8"))
    else:
        msg = text
    msg["Subject"] = Header(clean_header_text(n.subject, 250), "utf-8")
    msg["From"] = _sender(sender)
    msg["To"] = _mailbox(n.recipient_name, n.recipient_email)
    msg["Date"] = format_datetime(n.created_at)
    msg["Message-ID"] = clean_header_text(n.message_id or message_id_for(n, sender), 250)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = n.language
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{clean_header_text(unsubscribe, 500)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg
