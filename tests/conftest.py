"""The test kit: app, client, runner, login_as(role), factories, and guards.

The database is SQLite in a temporary folder, or PostgreSQL when
``CASEAPP_TEST_DATABASE_URL`` is set (CI runs the whole suite both ways). The schema is
built once per session through the Alembic migrations, and every table is emptied after
each test.
"""

import os
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner

from caseapp import create_app
from caseapp.auth.models import Role, User
from caseapp.auth.passwords import hash_password
from caseapp.cases.models import Case
from caseapp.cases.services import open_case
from caseapp.directory.models import Organisation, OrganisationKind
from caseapp.directory.services import create_organisation
from caseapp.documents import filestore
from caseapp.documents.models import Direction, Document, PartyRole
from caseapp.documents.services import DocumentDraft, OriginalFile, PartyInput, register_document
from caseapp.extensions import db
from caseapp.registry.models import Series
from caseapp.registry.services import create_series

PG_URL = os.environ.get("CASEAPP_TEST_DATABASE_URL")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
TEST_PASSWORD = "correct-horse-battery"


def _worker_url(base: str, worker: str) -> str:
    """One PostgreSQL database per xdist worker, created on demand."""
    if worker == "master":
        return base
    url = sa.make_url(base)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    if PG_URL:
        return _worker_url(PG_URL, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url, tmp_path_factory) -> str:
    """The test database with the schema built by ``upgrade`` (never by create_all)."""
    from flask_migrate import upgrade

    _reset_schema(database_url)
    os.environ["CASEAPP_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance-migrate"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for t in tables:
            db.session.execute(t.delete())
    db.session.commit()


@pytest.fixture
def app(migrated_database, tmp_path, monkeypatch) -> Iterator[Flask]:
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": migrated_database,
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": None,
            # Tests assert on the English source texts; tests/core/test_translations.py
            # checks that Swedish is the installation's default and complete.
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


class ClosingClient(FlaskClient):
    """Reads each response to its end and closes it, as a server does: a download streams
    from an open file, which a test that reads only its headers would leave open. A test
    that reads a response chunk by chunk asks for ``buffered=False`` (and closes it)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def client(app) -> FlaskClient:
    app.test_client_class = ClosingClient
    return app.test_client()


@pytest.fixture
def runner(app) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def no_real_mail(monkeypatch):
    """Fail any test that would open an SMTP connection beyond this machine."""
    real_connect = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if host not in LOOPBACK:
            pytest.fail(f"a test tried to send real mail through {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)
    real_create = socket.create_connection

    def guarded_socket(address, *args, **kwargs):
        host = address[0]
        if port_is_smtp(address[1]) and host not in LOOPBACK:
            pytest.fail(f"a test tried to reach an SMTP port at {host}")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded_socket)


def port_is_smtp(port) -> bool:
    return port in (25, 465, 587, 2525)


# ---------------------------------------------------------------- factories


class Factory:
    """Builds valid records with sensible defaults; every call flushes, none commits."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def user(self, role: Role | str = Role.REGISTRAR, email: str | None = None, **kw) -> User:
        n = self._next()
        user = User(
            email=email or f"user{n}@example.org",
            name=kw.pop("name", f"Användare {n}"),
            role=Role(role),
            password_hash=kw.pop("password_hash", None) or hash_password(TEST_PASSWORD),
            **kw,
        )
        db.session.add(user)
        db.session.flush()
        return user

    def series(self, prefix: str = "KS", **kw) -> Series:
        existing = db.session.scalar(sa.select(Series).where(Series.prefix == prefix))
        return existing or create_series(
            prefix, name=kw.pop("name", f"Serie {prefix}"), actor=None, **kw
        )

    def organisation(self, name: str = "Ånge kommun", **kw) -> Organisation:
        return create_organisation(
            name=name,
            kind=kw.pop("kind", OrganisationKind.MUNICIPALITY),
            actor=None,
            **kw,
        )

    def case(self, title: str = "Etablering av servicekontor", series: Series | None = None, **kw):
        return open_case(series or self.series(), title=title, actor=kw.pop("actor", None), **kw)

    def document(self, case: Case | None = None, **kw) -> Document:
        kw.setdefault("direction", Direction.IN)
        kw.setdefault("subject", "Etablering av statliga servicekontor")
        kw.setdefault("document_date", date(2021, 6, 7))
        kw.setdefault(
            "parties",
            [
                PartyInput(PartyRole.FROM, "Paul Larsson", "paul.larsson@statenssc.se"),
                PartyInput(
                    PartyRole.TO, "Mattias Robertsson-Bly", "mattias.robertsson-bly@ange.se"
                ),
            ],
        )
        actor = kw.pop("actor", None)
        if isinstance(kw.get("original"), bytes):  # stored first, as intake does
            data = kw.pop("original")
            kw["original"] = OriginalFile(
                filestore.put(data),
                len(data),
                kw.pop("original_filename", None),
                kw.pop("original_media_type", None) or "application/octet-stream",
            )
        return register_document(case or self.case(), DocumentDraft(**kw), actor=actor)


@pytest.fixture
def factory(app) -> Factory:
    return Factory()


@pytest.fixture
def login_as(app, client, factory):
    """``login_as("registrar")`` logs the test client in as a new user with that role."""

    def _login(role: Role | str, **kw) -> User:
        user = factory.user(role, **kw)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        # The test keeps one app context open, and Flask-Login caches the user in its ``g``.
        g.pop("_login_user", None)
        return user

    return _login


# ---------------------------------------------------------------- SQL counting


class QueryLog:
    """The SQL statements the database was sent while a ``count_queries()`` block ran."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        # Each statement's parameters, as the driver got them (tests/plans.py explains them).
        self.parameters: list = []

    def __len__(self) -> int:
        return len(self.statements)

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)
        self.parameters.append(parameters)

    def __str__(self) -> str:
        return "\n".join(f"{n}: {s}" for n, s in enumerate(self.statements, 1))


@pytest.fixture
def count_queries(app):
    """``with count_queries() as log: client.get(url)``; then ``len(log)`` is the number of
    statements the request sent (``str(log)`` lists them, for an assertion's message).

    Pin a page's count at two sizes of data: a count that grows with the rows shown is the
    N+1 pattern the page must not have."""

    @contextmanager
    def _count() -> Iterator[QueryLog]:
        log = QueryLog()
        sa.event.listen(db.engine, "before_cursor_execute", log.record)
        try:
            yield log
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", log.record)

    return _count
