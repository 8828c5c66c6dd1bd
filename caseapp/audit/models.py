"""The audit log (granskningslogg): append-only.

The log sits below every feature, so it names its actor by the users table only: a page
that shows an event looks the name up (``caseapp.audit.render``).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.db import Base, key_index, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # A case's history, newest first (audit.queries.case_events), read along the index.
        sa.Index("ix_audit_events_case_at", "case_id", "at", "id"),
        key_index("audit_events", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(50))
    entity_type: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[int | None]
    # The case the event belongs to, so a case page shows its whole history in one query.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    summary: Mapped[str | None] = mapped_column(sa.String(500))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target):  # noqa: ARG001 - signature fixed by SQLAlchemy
    raise AuditLogIsAppendOnly("audit events are never changed or deleted")
