"""Reading the audit log. Nothing here writes."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db


def case_events_select(case_id: int) -> sa.Select:
    """The events that belong to a case, newest first (ties in recording order, reversed),
    as a statement to page through."""
    return (
        sa.select(AuditEvent)
        .where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def case_events(case_id: int) -> list[AuditEvent]:
    """The events that belong to a case, newest first (ties in recording order, reversed)."""
    return list(db.session.scalars(case_events_select(case_id)))
