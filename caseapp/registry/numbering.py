"""The one place numbers are handed out.

Guarantees: every number is unique, never reused, and gapless within its scope (a series
and year for case numbers, a case for document numbers). The counter row is incremented
with one atomic ``UPDATE … RETURNING`` in the caller's transaction: on PostgreSQL the row
lock, on SQLite the database write lock, makes concurrent registrations wait for each other,
and a registration that rolls back gives its number back with it, so no gap appears.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from caseapp.extensions import db
from caseapp.registry.models import NumberCounter


def _insert_counter(scope: str, year: int):
    dialect = db.session.get_bind().dialect.name
    values = {"scope": scope, "year": year, "last": 0}
    if dialect == "postgresql":
        return postgresql.insert(NumberCounter).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(NumberCounter).values(values).on_conflict_do_nothing()
    raise RuntimeError(f"unsupported database: {dialect}")


# ``UPDATE number_counters SET last = last + 1 … RETURNING last``, built once.
_COUNTERS = NumberCounter.__table__
_INCREMENT = (
    sa.update(_COUNTERS)
    .where(
        _COUNTERS.c.scope == sa.bindparam("counter_scope"),
        _COUNTERS.c.year == sa.bindparam("counter_year"),
    )
    .values(last=_COUNTERS.c.last + 1)
    .returning(_COUNTERS.c.last)
)


def next_number(scope: str, year: int = 0) -> int:
    """Take the next number in ``scope``/``year`` (1, 2, 3 …) inside the current transaction."""
    # The increment comes first: on SQLite it is the statement that takes the write lock,
    # so nothing read before it can be stale.
    # A plain Core statement on the session's connection (same transaction): counter rows
    # are never held as ORM objects, so the ORM layer (autoflush, synchronising the session)
    # would only add cost; pending objects are flushed with the caller's next flush.
    conn = db.session.connection()
    params = {"counter_scope": scope, "counter_year": year}
    value = conn.execute(_INCREMENT, params).scalar_one_or_none()
    if value is None:
        conn.execute(_insert_counter(scope, year))
        value = conn.execute(_INCREMENT, params).scalar_one()
    return value


def case_scope(series_id: int) -> str:
    return f"series:{series_id}"


def document_scope(case_id: int) -> str:
    return f"case:{case_id}"
