"""caseapp: a diarium with follow-up for Swedish public bodies."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from caseapp.auth.services import active_demo_accounts
from caseapp.config import (
    apply_cookie_defaults,
    check_base_url,
    check_cookies,
    check_demo_passwords,
    production,
)
from caseapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """The installation's secret key, generated into the instance folder on first run.

    Several processes may start at once on a new installation (a worker beside the web
    server, parallel imports): the key is written to a file of this process's own and
    linked into place, which only one of them can do, so all of them end with the same,
    complete key."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    fd, own = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(own, 0o600)
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(own, path)
    finally:
        os.unlink(own)
    return path.read_text().strip()


def create_app(test_config: dict | None = None, *, command_line: bool = False) -> Flask:
    """Build the application: config, extensions, blueprints, error pages and CLI.

    A production app (neither DEBUG nor TESTING) refuses to start without ``BASE_URL``,
    without Secure session cookies, and while an active account has the demo password
    (``ConfigurationError``). For the command line (``command_line``) the commands that
    need it check it themselves (``caseapp worker``, ``caseapp serve``), so that
    ``caseapp db upgrade`` and the others run wherever the database is.
    """
    instance_path = os.environ.get("CASEAPP_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_object("caseapp.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CASEAPP")
    if test_config:
        app.config.update(test_config)
    web_production = production(app.config) and not command_line
    check_base_url(app.config, required=web_production)
    apply_cookie_defaults(app.config)
    check_cookies(app.config, required=web_production)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or (
            f"sqlite:///{instance / 'caseapp.db'}"
        )

    from caseapp import database, views_setup

    database.configure(app)
    views_setup.init_app(app)
    if web_production:
        _check_accounts(app)
    return app


def _check_accounts(app: Flask) -> None:
    """Refuse to serve while the published demo password opens an active account. (A
    database not built yet has no accounts; ``caseapp db upgrade`` builds it.)"""
    with app.app_context():
        try:
            if sa.inspect(db.engine).has_table("users"):
                check_demo_passwords(active_demo_accounts())
        finally:
            db.session.remove()
            db.engine.dispose()  # no connection is shared with the server's worker processes
