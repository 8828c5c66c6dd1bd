"""The schema exists only through migrations, and they agree with the models."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from caseapp.extensions import db


def _diff():
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, db.metadata)


def test_models_and_migrations_agree(app):
    assert _diff() == []


def test_downgrade_to_base_and_upgrade_again(app):
    db.session.remove()
    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert {"cases", "documents", "audit_events"} <= set(sa.inspect(db.engine).get_table_names())
    assert _diff() == []
