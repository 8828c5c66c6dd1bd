"""Flask extensions, created unbound and initialised in create_app()."""

import click
from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from caseapp.db import Base


class _LazyMigrateConfig:
    """What ``app.extensions["migrate"]`` holds until something uses it: the first attribute
    read (``flask_migrate.upgrade()``, ``migrations/env.py``) initialises Flask-Migrate for
    the app, which then replaces this with its own config object."""

    def __init__(self, app, db, kwargs: dict) -> None:
        self._app, self._db, self._kwargs = app, db, kwargs

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        config = self._app.extensions.get("migrate")
        if config is self:  # not yet initialised
            Migrate().init_app(self._app, self._db, **self._kwargs)
            config = self._app.extensions["migrate"]
        return getattr(config, name)


class _LazyDbGroup(click.Group):
    """The ``db`` command group of Flask-Migrate, imported when a ``db`` command runs: its
    import (Alembic) costs about a quarter of a second that no other command needs."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as db_cli_group

        return db_cli_group

    def make_context(self, info_name, args, parent=None, **extra):
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._real().get_command(ctx, cmd_name)


class LazyMigrate:
    """Flask-Migrate's ``Migrate``, imported only when the migration machinery is used
    (``caseapp db …``, ``flask_migrate.upgrade()`` in tests and benches): every other
    process — the web app, the worker, ``caseapp mail import`` — starts without Alembic."""

    def init_app(self, app, db, **kwargs) -> None:
        app.extensions["migrate"] = _LazyMigrateConfig(app, db, kwargs)
        app.cli.add_command(_LazyDbGroup("db", help="Perform database migrations."))


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
