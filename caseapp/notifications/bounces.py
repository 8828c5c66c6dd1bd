"""Delivery reports (bounces, RFC 3464) tied to the notice they are about."""

import re

import sqlalchemy as sa

from caseapp.audit.services import record
from caseapp.db import utcnow
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.notifications.models import (
    AttemptResult,
    DeliveryAttempt,
    Notification,
    NotificationStatus,
)
from caseapp.notifications.outbox import clean_header_text

FAILED = "failed"
DELAYED = "delayed"
#: Reports that a message went on (RFC 3464 §2.3.3): nothing to note about our delivery.
ONWARD = frozenset({"delivered", "relayed", "expanded"})
# The Message-ID our worker gives a notice (message.message_id_for): the row's id is in it.
_OURS = re.compile(r"^<caseapp\.notice\.(\d+)\.\d+@[^>]+>$", re.IGNORECASE)
_SMTP_CODE = re.compile(r"^\s*smtp\s*;\s*([245]\d\d)\b", re.IGNORECASE)
# Notices that are not waiting for a (new) attempt: a report can change what they say.
_SETTLED = (NotificationStatus.DELIVERED, NotificationStatus.CAUGHT, NotificationStatus.FAILED)


def _message_id(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    return value if value.startswith("<") else f"<{value}>"


def _address(value: str) -> str:
    """``rfc822; Name@Host`` or ``<name@host>`` → ``name@host``."""
    value = value.strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip().lower()


def notice_for_message_id(message_id: str | None) -> Notification | None:
    """Our outbox row sent with ``message_id`` (angle brackets optional), or None."""
    wanted = _message_id(message_id)
    if wanted is None:
        return None
    n = db.session.scalar(sa.select(Notification).where(Notification.message_id == wanted))
    if n is not None:
        return n
    # A relay may have changed the letter case of the id: ours carry the row's id.
    match = _OURS.match(wanted)
    if match is None:
        return None
    n = db.session.get(Notification, int(match.group(1)))
    same = n is not None and (n.message_id or "").lower() == wanted.lower()
    return n if same else None


def record_bounce(
    *,
    original_message_id: str | None,
    recipients: list[str],
    action: str,
    status: str | None,
    diagnostic: str | None,
) -> Notification | None:
    """Tie a delivery status report to the notice it is about, and act on it.

    The contract, for the mail intake (``ParsedChain.delivery_report``):

    - ``original_message_id``: the Message-ID of the message the report is about (its
      Original-Message-ID, or the Message-ID of the returned message), angle brackets
      optional. Not one of our notices' (or None): returns None and changes nothing.
    - ``recipients``: the addresses the report is about (Final-Recipient / Original-Recipient,
      ``rfc822;`` prefix optional); empty means the report does not say.
    - ``action``: RFC 3464's Action, in any letter case. ``failed``: the delivery to the
      notice's recipient failed — the notice is marked failed (status ``failed``, the report's
      status and diagnostic kept as its last error), an attempt "bounced" is logged, and it
      is audited; an administrator sees it on the outbox page and may resend it. A failed
      report that names only other addresses (a copy the recipient's side sent on) is logged
      and audited, the notice's state kept. ``delayed``: only logged (an attempt "delayed")
      and audited. ``delivered``, ``relayed``, ``expanded``: nothing to do. Anything else:
      ServiceError.
    - ``status``: the report's status code (``5.1.1``), or None; ``diagnostic``: its
      Diagnostic-Code text, or None. Both are kept (cleaned of control characters).
    - A notice waiting to be sent again (an administrator resent it) keeps its state: the
      report is about an earlier delivery; it is logged.
    - The same report given twice is logged once. Returns the notice (when the id is ours),
      whether or not its state changed. Flushes, never commits.
    """
    kind = (action or "").strip().lower()
    if kind not in {FAILED, DELAYED} | ONWARD:
        raise ServiceError(N_("Unknown delivery report action: %(action)r."), action=action)
    n = notice_for_message_id(original_message_id)
    if n is None or kind in ONWARD:
        return n
    named = sorted({_address(r) for r in recipients or [] if _address(r)})
    ours = not named or n.recipient_email.lower() in named
    error = _error_text(status, diagnostic, [] if ours else named)
    result = AttemptResult.BOUNCED if kind == FAILED else AttemptResult.DELAYED
    if _already_logged(n, result, error):
        return n
    before = n.status
    if kind == FAILED and ours and n.status in _SETTLED:
        n.status = NotificationStatus.FAILED
        n.last_error = error
    db.session.add(
        DeliveryAttempt(
            notification_id=n.id,
            at=utcnow(),
            worker="delivery report",
            result=result,
            smtp_code=_smtp_code(diagnostic),
            error=error,
        )
    )
    db.session.flush()
    record(
        "delivery_report",
        n,
        actor=None,
        summary=n.recipient_email,
        before={"status": before.value},
        after={"status": n.status.value, "action": kind, "report": error},
    )
    return n


def _error_text(status: str | None, diagnostic: str | None, others: list[str]) -> str:
    text = " ".join(p for p in (clean_header_text(status, 20), clean_header_text(diagnostic)) if p)
    if others:
        text = f"for {', '.join(others)}: {text}".strip()
    return (text or "no status given")[:2000]


def _smtp_code(diagnostic: str | None) -> int | None:
    match = _SMTP_CODE.match(diagnostic or "")
    return int(match.group(1)) if match else None


def _already_logged(n: Notification, result: AttemptResult, error: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.literal(1))
            .select_from(DeliveryAttempt)
            .where(
                DeliveryAttempt.notification_id == n.id,
                DeliveryAttempt.result == result,
                DeliveryAttempt.error == error,
            )
            .limit(1)
        )
        is not None
    )
