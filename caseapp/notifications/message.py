"""The MIME message of a composed notification: a header block that cannot be injected into,
and a Message-ID that stays the same for every attempt at a row."""

from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from flask import current_app

from caseapp.notifications.models import Notification
from caseapp.notifications.outbox import checked_address, clean_header_text


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
