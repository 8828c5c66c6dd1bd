"""mail inbox: received mail waiting to be registered

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', 'discarded', name='inboxstatus', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('upload', 'paste', 'smtp', 'lmtp', 'imap', 'cli', name='inboxsource', native_enum=False, length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('envelope_from', sa.String(length=998), nullable=True),
    sa.Column('envelope_to', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('source_key', sa.String(length=500), nullable=True),
    sa.Column('sender', sa.String(length=500), nullable=True),
    sa.Column('subject', sa.String(length=1000), nullable=True),
    sa.Column('message_count', sa.Integer(), nullable=False),
    sa.Column('parse_error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('document_numbers', sa.JSON(), nullable=True),
    sa.Column('discard_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_inbox_items_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_inbox_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_inbox_items_done_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items')),
    sa.UniqueConstraint('source_key', name=op.f('uq_inbox_items_source_key'))
    )
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_items_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_items_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_items_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_items_status'))
        batch_op.drop_index(batch_op.f('ix_inbox_items_received_at'))
        batch_op.drop_index(batch_op.f('ix_inbox_items_message_id'))

    op.drop_table('inbox_items')
