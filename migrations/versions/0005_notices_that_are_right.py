"""notices that are right: what a subscription covers, cancellation notices, worker heartbeat

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 04:21:40.582733

A subscription now says which documents it hears of, by direction. Existing subscriptions
keep hearing of incoming and outgoing documents; a user's (staff) also of internal ones, a
mailbox's never (the database refuses it from now on). The outbox gains the indexes a
cancellation (by document) and a delivery report (by Message-ID) look rows up with, and one
cancellation notice per document and recipient; workers write a heartbeat.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeats',
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_heartbeats'))
    )
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeats_seen_at'), ['seen_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_message_id'), ['message_id'], unique=False)
        batch_op.create_index('uq_notifications_correction_recipient', ['document_id', 'recipient_email'], unique=True, sqlite_where=sa.text("kind = 'correction'"), postgresql_where=sa.text("kind = 'correction'"))

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covers_incoming', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('covers_outgoing', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('covers_internal', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Staff subscriptions went on hearing of internal documents; mailboxes stop.
    subscriptions = sa.table(
        'subscriptions',
        sa.column('user_id', sa.Integer),
        sa.column('covers_internal', sa.Boolean),
    )
    op.execute(
        subscriptions.update()
        .where(subscriptions.c.user_id.is_not(None))
        .values(covers_internal=True)
    )

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_subscriptions_internal_staff_only'), 'mailbox_id IS NULL OR NOT covers_internal')
        batch_op.create_check_constraint(op.f('ck_subscriptions_covers_something'), 'covers_incoming OR covers_outgoing OR covers_internal')


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_subscriptions_covers_something'), type_='check')
        batch_op.drop_constraint(op.f('ck_subscriptions_internal_staff_only'), type_='check')

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('covers_internal')
        batch_op.drop_column('covers_outgoing')
        batch_op.drop_column('covers_incoming')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_correction_recipient', sqlite_where=sa.text("kind = 'correction'"), postgresql_where=sa.text("kind = 'correction'"))
        batch_op.drop_index(batch_op.f('ix_notifications_message_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_document_id'))

    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeats_seen_at'))

    op.drop_table('worker_heartbeats')
