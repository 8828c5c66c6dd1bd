"""a mark on a notice while it is handed to the SMTP server

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00

notifications.handed_at is committed just before a worker sends a message's DATA and
cleared when the server's answer is recorded. A claim that lapses with the mark still set
belongs to a worker that died in between: the message may have been delivered, so the row
becomes 'uncertain' (a new status value; statuses are plain strings, no ALTER TYPE) instead
of being sent again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable, no default): no table rebuild on SQLite.
    op.add_column('notifications', sa.Column('handed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('handed_at')
