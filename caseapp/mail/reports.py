"""Delivery reports about our own notices, recognised at intake.

A notice caseapp mailed to a registry mailbox may bounce; the bounce comes back to a
mailbox caseapp reads, like any mail. It is not correspondence to register: it is a fact
about the notice. Intake hands it to ``notifications.bounces.record_bounce`` (which marks
the notice failed on the outbox, where an administrator may resend it) and settles the
inbox item. A report about mail that is not one of our notices stays in the inbox like
any automatic mail, for a registrar to see.
"""

from __future__ import annotations

from flask import current_app

from caseapp.errors import ServiceError
from caseapp.mail.parse import ParsedChain
from caseapp.notifications.bounces import record_bounce
from caseapp.notifications.models import Notification


def reported_notice(chain: ParsedChain | None) -> Notification | None:
    """The notice of ours that ``chain`` reports on, with the report recorded on it (see
    ``record_bounce``: the same report twice is recorded once), or None when the mail is
    no delivery report, names no Message-ID, or names one that is not a notice of ours.
    Flushes, never commits."""
    report = chain.delivery_report if chain is not None else None
    if report is None or not report.original_message_id:
        return None
    try:
        return record_bounce(
            original_message_id=report.original_message_id,
            recipients=report.recipients,
            action=report.action,
            status=report.status,
            diagnostic=report.diagnostic,
        )
    except ServiceError as exc:  # an action RFC 3464 does not know: a registrar looks at it
        current_app.logger.warning("delivery report not recorded: %s", exc)
        return None
