"""Shared set-up for the notification benchmarks: an app on a fresh, migrated database."""

from __future__ import annotations

import os
import tempfile

import sqlalchemy as sa


def make_app(database_url: str | None):
    from flask_migrate import upgrade

    from caseapp import create_app
    from caseapp.extensions import db

    tmp = tempfile.mkdtemp(prefix="caseapp-bench-")
    os.environ["CASEAPP_INSTANCE_PATH"] = tmp
    url = database_url or f"sqlite:///{tmp}/bench.db"
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BASE_URL": "http://bench.invalid"}
    )
    ctx = app.app_context()
    ctx.push()
    upgrade(revision="heads")
    return app, db
