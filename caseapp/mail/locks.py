"""Serialising concurrent writers of the same mail, across processes and machines.

On PostgreSQL: transaction-level advisory locks on text keys (released at commit or
rollback), always taken in the order of their lock ids, so two transactions that lock some
of the same keys cannot wait for each other in a circle. SQLite allows one writer at a
time: there, beginning the write transaction is the lock.
"""

import hashlib

import sqlalchemy as sa

from caseapp.extensions import db


def lock_id(key: str) -> int:
    """The advisory lock's 64-bit id for a text key."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def lock(keys: list[str]) -> None:
    """Take the transaction-level locks of ``keys`` on PostgreSQL, in the order of their lock
    ids; a transaction takes them before any row lock (the number counters). Taking a key
    again is free. On SQLite nothing: the importer's callers write (the inbox claim or the
    store) before they lock, so the database's one write lock is held already."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key_id in sorted({lock_id(k) for k in keys}):
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key_id})


def raw_key(sha256: str) -> str:
    """The lock key of a mail's very bytes (the inbox's store-once rule)."""
    return f"raw:{sha256}"


def lock_for_writing(keys: list[str]) -> None:
    """Hold, to the end of the transaction, what no other writer of ``keys`` may hold at the
    same time: their advisory locks on PostgreSQL, the write lock on SQLite (BEGIN
    IMMEDIATE, unless this transaction has written already and so holds it). What is read
    after this is what is committed, and nobody else can change it before our commit."""
    if db.session.get_bind().dialect.name == "postgresql":
        lock(keys)
        return
    driver = db.session.connection().connection.dbapi_connection
    if not driver.in_transaction:
        db.session.execute(sa.text("BEGIN IMMEDIATE"))
