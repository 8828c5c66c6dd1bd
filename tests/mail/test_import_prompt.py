"""``caseapp mail import`` without ``--yes``: the question is asked with no lock held.

The proposal is built reading only, that read transaction ends, and only after the answer
are the mail stored and registered, in a transaction of their own. While the registrar reads
the question the web app must be able to write (SQLite: take the write lock from another
connection; PostgreSQL: no transaction of ours is open).
"""

import sqlite3

import click
import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail.inbox import InboxItem


def _write_from_another_connection() -> None:
    """Write (and roll back) from a second connection, waiting at most 0.2 s for locks."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(engine.url.database, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock, or fails after 0.2 s
            conn.execute("UPDATE series SET name = name")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    other = sa.create_engine(engine.url)
    try:
        with other.connect() as conn:
            conn.execute(sa.text("SET lock_timeout = '200ms'"))
            conn.execute(sa.text("UPDATE series SET name = name"))
            stuck = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
            assert stuck == 0, "a transaction stays open while the question is shown"
            conn.rollback()
    finally:
        other.dispose()


@pytest.fixture
def confirm_checks_no_lock(monkeypatch):
    """``click.confirm`` that first proves nothing is locked, then answers as told."""
    asked: list[str] = []
    answers: list[bool] = []

    def confirm(text, *args, **kwargs):
        asked.append(text)
        assert not db.session().in_transaction(), "asked inside a transaction"
        _write_from_another_connection()
        return answers.pop(0)

    monkeypatch.setattr(click, "confirm", confirm)
    return asked, answers


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_no_write_lock_is_held_while_asking(runner, world, seed, tmp_path, confirm_checks_no_lock):
    asked, answers = confirm_checks_no_lock
    path = tmp_path / "seed.txt"
    path.write_bytes(seed)

    answers.append(False)
    result = runner.invoke(args=["mail", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert asked == ["Register?"]
    assert f"case: {world.case.number}" in result.stderr and "skipped" in result.stderr
    assert _count(Document) == 0 and _count(InboxItem) == 0  # no means nothing is kept

    answers.append(True)
    result = runner.invoke(args=["mail", "import", str(path)])
    assert result.exit_code == 0, result.output
    n = world.case.number
    assert result.stdout.splitlines() == [f"{n}-1", f"{n}-2"]
    assert _count(Document) == 2 and _count(InboxItem) == 1


def test_a_message_registered_while_asking_is_not_registered_twice(
    runner, world, tmp_path, monkeypatch
):
    path = tmp_path / "a.eml"
    path.write_bytes(make_eml(1))

    def confirm(text, *args, **kwargs):
        # Somebody else registers the same mail while the question is on the screen.
        other = runner.invoke(args=["mail", "import", str(path), "--yes"])
        assert other.exit_code == 0, other.output
        return True

    monkeypatch.setattr(click, "confirm", confirm)
    result = runner.invoke(args=["mail", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"already registered as {world.case.number}-1" in result.stderr
    assert _count(Document) == 1


def test_unreadable_input_is_reported_without_asking(runner, world, tmp_path, monkeypatch):
    monkeypatch.setattr(click, "confirm", lambda *a, **k: pytest.fail("asked"))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(args=["mail", "import", str(junk)])
    assert result.exit_code == 1 and "not readable as mail" in result.stderr
    assert _count(InboxItem) == 0
