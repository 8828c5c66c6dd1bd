"""moved documents' index holds only the moved: a partial index on documents.moved_to_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:40:00

A full index on moved_to_id, NULL in nearly every row, led SQLite to answer the duplicate
checks' "moved_to_id IS NULL" by walking every document through it (the import slowed with
the size of the registry). The partial index keeps the foreign key's look-up
(moved_to_id = ?) and is never a candidate for IS NULL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WHERE = sa.text("moved_to_id IS NOT NULL")


def upgrade():
    op.drop_index('ix_documents_moved_to_id', table_name='documents')
    op.create_index(
        'ix_documents_moved_to_id', 'documents', ['moved_to_id'],
        sqlite_where=WHERE, postgresql_where=WHERE,
    )


def downgrade():
    op.drop_index('ix_documents_moved_to_id', table_name='documents')
    op.create_index('ix_documents_moved_to_id', 'documents', ['moved_to_id'])
