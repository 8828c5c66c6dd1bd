"""Writing the audit log."""

from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db


class Actor(Protocol):
    """Who acts: a user, of whom the log keeps only the id (the log depends on no feature)."""

    id: int


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


def event_values(
    action: str,
    entity: Any,
    *,
    actor: Actor | None,
    case_id: int | None = None,
    summary: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> dict[str, Any]:
    """The column values of one audit event about ``entity`` (which must have its id)."""
    return {
        "action": action,
        "entity_type": type(entity).__name__,
        "entity_id": getattr(entity, "id", None),
        "actor_id": actor.id if actor else None,
        "case_id": case_id,
        "summary": summary,
        "before": before,
        "after": after,
    }


def record(action: str, entity: Any, **kwargs: Any) -> AuditEvent:
    """Append one audit event in the current transaction (it commits or rolls back with it).

    ``kwargs`` are those of ``event_values``. The event is added to the session, not
    flushed: it is written with the next flush (at the latest the commit), in the order
    recorded. The session is flushed here only when the entity has no id yet, because the
    event must name it.
    """
    if entity is not None and getattr(entity, "id", None) is None:
        db.session.flush()  # the entity needs its id
    event = AuditEvent(**event_values(action, entity, **kwargs))
    db.session.add(event)
    return event
