"""case access list: the users and groups with need-to-know on a confidential case

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:55:00

Besides the case officer, registrars and admins, only those on a case's access list read
its confidential records in full; everyone else sees the masked view.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (group_id IS NULL)', name=op.f('ck_case_access_one_grantee')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_access_case_id_cases')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_case_access_granted_by_id_users')),
    sa.ForeignKeyConstraint(['group_id'], ['user_groups.id'], name=op.f('fk_case_access_group_id_user_groups')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_access_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_access')),
    sa.UniqueConstraint('case_id', 'group_id', name=op.f('uq_case_access_case_id_group_id')),
    sa.UniqueConstraint('case_id', 'user_id', name=op.f('uq_case_access_case_id_user_id'))
    )
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_access_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_access_case_id'))
    op.drop_table('case_access')
