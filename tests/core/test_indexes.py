"""Every foreign key leads an index: a look-up by the key (a document's forwards, a
contact's documents) and the delete check of the row it points at read that index, never
the whole table. The models are checked; test_migrations checks that the migrations built
the same indexes."""

import sqlalchemy as sa

import caseapp.models  # noqa: F401 - every table in the metadata
from caseapp.extensions import db

# Tables that stay tiny whatever the size of the registry, where a scan is a read of a page
# or two. None so far: every key has its index.
TINY: set[str] = set()


def _leading_columns(table: sa.Table) -> list[tuple[str, ...]]:
    """The column lists that an index, the primary key or a unique constraint of ``table``
    leads with. A partial index counts for a key only when it holds every row where the
    key is set (``<first column> IS NOT NULL``)."""
    leads = [tuple(c.name for c in table.primary_key.columns)]
    for ix in table.indexes:
        cols = tuple(c.name for c in ix.columns)
        where = ix.dialect_options["sqlite"].get("where")
        if where is None or str(where) == f"{cols[0]} IS NOT NULL":
            leads.append(cols)
    for uc in table.constraints:
        if isinstance(uc, sa.UniqueConstraint):
            leads.append(tuple(c.name for c in uc.columns))
    return leads


def _unindexed_keys(tables) -> list[str]:
    missing = []
    for table in tables:
        if table.name in TINY:
            continue
        leads = _leading_columns(table)
        for fk in table.foreign_key_constraints:
            cols = tuple(c.name for c in fk.columns)
            if not any(lead[: len(cols)] == cols for lead in leads):
                missing.append(f"{table.name}.{','.join(cols)}")
    return sorted(missing)


def test_every_foreign_key_leads_an_index(app):
    assert _unindexed_keys(db.metadata.sorted_tables) == []


def test_the_check_sees_a_key_without_an_index(app):
    # The guard guards: a new key column without an index is reported.
    table = sa.Table(
        "probe_rows",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.ForeignKey("documents.id")),
        sa.Column("moved_id", sa.ForeignKey("documents.id")),
        sa.Column("parent_id", sa.ForeignKey("documents.id")),
        # A partial index of the rows where the key IS NULL holds none that a look-up reads.
        sa.Index("ix_probe_moved", "moved_id", sqlite_where=sa.text("moved_id IS NULL")),
        sa.Index("ix_probe_parent", "parent_id", sqlite_where=sa.text("parent_id IS NOT NULL")),
    )
    assert _unindexed_keys([table]) == ["probe_rows.document_id", "probe_rows.moved_id"]


def test_the_migrated_database_has_the_models_partial_indexes(app):
    # Alembic compares an index's columns, not its WHERE: read the real schema's indexes.
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    else:
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    built = dict(db.session.execute(sa.text(sql)).all())
    for table in db.metadata.sorted_tables:
        for ix in table.indexes:
            where = ix.dialect_options["sqlite"].get("where")
            assert ix.name in built, ix.name
            partial = "WHERE" in built[ix.name].upper()
            assert partial == (where is not None), (ix.name, built[ix.name])
