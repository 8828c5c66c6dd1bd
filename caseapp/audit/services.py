"""Writing the audit log."""

from datetime import date, datetime
from enum import Enum
from typing import Any

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.db import insert_statement
from caseapp.extensions import db


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-ready dict (for before/after)."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (before, after)."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def record(
    action: str,
    entity: Any,
    *,
    actor: User | None,
    case_id: int | None = None,
    summary: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one audit event in the current transaction (it commits or rolls back with it).

    The event is added to the session, not flushed: it is written with the next flush (at
    the latest the commit), in the order recorded. The session is flushed here only when the
    entity has no id yet, because the event must name it.
    """
    entity_id = getattr(entity, "id", None)
    if entity_id is None and entity is not None:
        db.session.flush()  # the entity needs its id
        entity_id = getattr(entity, "id", None)
    event = AuditEvent(
        action=action,
        entity_type=type(entity).__name__,
        entity_id=entity_id,
        actor_id=actor.id if actor else None,
        case_id=case_id,
        summary=summary,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def record_now(action: str, entity: Any, **kwargs) -> None:
    """``record``, written at once with a plain INSERT (see ``record_many_now``)."""
    record_many_now([dict(kwargs, action=action, entity=entity)])


def record_many_now(events: list[dict]) -> None:
    """``record`` for each of ``events`` (dicts of its arguments), written at once with one
    plain INSERT on the session's connection (same transaction) instead of waiting, as ORM
    objects, for the next flush: for callers that have just flushed and need no
    ``AuditEvent`` objects. If audit events recorded earlier are still pending, or an entity
    has no id yet, it falls back to ``record`` so the log keeps the order of recording."""
    if not events:
        return
    session = db.session()
    if any(
        getattr(e["entity"], "id", None) is None and e["entity"] is not None for e in events
    ) or any(isinstance(o, AuditEvent) for o in session.new):
        for e in events:
            record(**e)
        return
    rows = []
    for e in events:
        actor = e.get("actor")
        rows.append(
            {
                "action": e["action"],
                "entity_type": type(e["entity"]).__name__,
                "entity_id": getattr(e["entity"], "id", None),
                "actor_id": actor.id if actor else None,
                "case_id": e.get("case_id"),
                "summary": e.get("summary"),
                "before": e.get("before"),
                "after": e.get("after"),
            }
        )
    session.connection().execute(insert_statement(AuditEvent.__table__), rows)
