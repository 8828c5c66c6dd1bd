"""Engine set-up that differs between SQLite and PostgreSQL."""

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from caseapp.extensions import db, migrate

# Writers wait this long for SQLite's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed row
    cur.close()


def configure(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # Copies: the defaults module's dict is shared by every app in the process.
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000} | opts.get(
            "connect_args", {}
        )
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    db.init_app(app)
    from caseapp import models  # noqa: F401 - registers every model with the metadata

    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True
    )
    if uri.startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
