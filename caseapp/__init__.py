"""caseapp: a diarium with follow-up for Swedish public bodies."""

import os
import secrets
from pathlib import Path

from flask import Flask

from caseapp.config import check_base_url, production

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """The installation's secret key, generated into the instance folder on first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def create_app(test_config: dict | None = None, *, command_line: bool = False) -> Flask:
    """Build the application: config, extensions, blueprints, error pages and CLI.

    A production app (neither DEBUG nor TESTING) refuses to start without ``BASE_URL``
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
    check_base_url(app.config, required=production(app.config) and not command_line)

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
    return app
