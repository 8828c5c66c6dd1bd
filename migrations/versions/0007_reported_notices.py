"""reported notices: a delivery report received as mail names the notice it was about

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:20:00

A bounce of one of our own notices arrives like any mail. Intake records it on the notice
(the outbox shows it failed) and settles the inbox item, which keeps the notice it was about.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notification_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbox_items_notification_id'), ['notification_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_inbox_items_notification_id_notifications'), 'notifications',
            ['notification_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inbox_items_notification_id_notifications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inbox_items_notification_id'))
        batch_op.drop_column('notification_id')
