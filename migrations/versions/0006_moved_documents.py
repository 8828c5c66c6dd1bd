"""moved documents: the row that keeps a moved document's old number

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 04:19:34.434613

A document moved to another case (omregistrering) keeps its row and gets the new case's
next number; a new row keeps its old number, taken for good, with ``moved_to_id`` naming
the document and who moved it, when and why.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('moved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('move_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_moved_to_id'), ['moved_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_moved_by_id_users'), 'users', ['moved_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_moved_to_id_documents'), 'documents', ['moved_to_id'], ['id'])


def downgrade():
    # Without the column an old number would pass for an empty document of its case, and
    # the way from it to the moved document would be lost: refuse rather than lose it.
    moved = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM documents WHERE moved_to_id IS NOT NULL")
    )
    if moved:
        raise RuntimeError(
            f"{moved} document number(s) record a move to another case; "
            "a downgrade below 0006 would lose where they went"
        )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_moved_to_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_moved_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_moved_to_id'))
        batch_op.drop_column('move_reason')
        batch_op.drop_column('moved_by_id')
        batch_op.drop_column('moved_at')
        batch_op.drop_column('moved_to_id')
