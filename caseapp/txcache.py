"""Answers read in a transaction, kept for the rest of it.

A bulk import asks the same questions many times in one transaction: which subscriptions
cover this case, which contact has this address. ``cache(session, name)`` gives a dict
for such answers, valid for the session's current transaction only. It is dropped when

- the transaction ends (commit or rollback), or a savepoint ends (what a rolled-back
  savepoint wrote is gone again);
- a flush writes a row of one of the tables the cache watches (``watch``);
- an ORM INSERT, UPDATE or DELETE statement names one of those tables.

Rows written on such a table with a plain Core statement are not seen: code that writes
them that way must call ``drop``. Changes still pending in the session are the caller's
to flush first (``pending``), as a query's autoflush would.
"""

import weakref

import sqlalchemy as sa
from sqlalchemy.orm import Session

_KEY = "caseapp.txcache"  # session.info: (transaction ref, {name: dict})
_WATCHED: dict[str, frozenset[str]] = {}  # cache name -> names of the tables it reads


def watch(name: str, *tables: str) -> None:
    """Declare that the cache ``name`` holds answers read from ``tables``."""
    _WATCHED[name] = frozenset(tables)


def cache(session: Session, name: str) -> dict | None:
    """The cache ``name`` of the session's current transaction (None outside one)."""
    if name not in _WATCHED:
        raise KeyError(f"transaction cache {name!r} is not declared with watch()")
    tx = session.get_transaction()
    if tx is None:
        return None
    entry = session.info.get(_KEY)
    if entry is None or entry[0]() is not tx:
        entry = session.info[_KEY] = (weakref.ref(tx), {})
    return entry[1].setdefault(name, {})


def drop(session: Session, *tables: str) -> None:
    """Forget the caches that read any of ``tables`` (all of them if none is named)."""
    entry = session.info.get(_KEY)
    if entry is None:
        return
    for name in list(entry[1]):
        if not tables or _WATCHED[name] & set(tables):
            del entry[1][name]


def pending(session: Session, *models: type) -> bool:
    """True if the session holds unflushed changes to instances of ``models``."""
    return any(isinstance(o, models) for o in (*session.new, *session.dirty, *session.deleted))


def _table_of(obj) -> str | None:
    table = getattr(sa.inspect(obj).mapper, "local_table", None)
    return getattr(table, "name", None)


@sa.event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context) -> None:
    if _KEY in session.info:
        written = {_table_of(o) for o in (*session.new, *session.dirty, *session.deleted)}
        if written:
            drop(session, *written)


@sa.event.listens_for(Session, "do_orm_execute")
def _written(state) -> None:
    if _KEY in state.session.info and (state.is_insert or state.is_update or state.is_delete):
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        drop(state.session, *([name] if name else []))  # unknown table: drop them all


@sa.event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    # The root transaction's end, or a savepoint's; not the inner subtransaction each
    # flush opens and closes.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KEY, None)
