"""follow-up lists by index: a person's open follow-ups by due date, one index per shape

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04 23:30:00

My follow-ups and the navigation's count ask for a user's open follow-ups by due date in
three shapes (assigned to them, to a group of theirs, to nobody in a case of theirs), each
now a query of its own (see caseapp/followups/lists.py). Each shape gets an index that
holds its rows in the list's order, (…, status, due, id); the single-column indexes on the
same leading columns are dropped, as the new ones serve their foreign keys as well.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None

# The assignee columns are NULL in most rows: their indexes hold only the rows that name
# somebody (as 0008 did for moved_to_id), so SQLite never answers an "IS NULL" by walking
# them; "= ?" still finds them on both databases.
PARTIAL = {'assignee_user_id': True, 'assignee_group_id': True, 'case_id': False}


def _name(column):
    return f'ix_followups_{column}_status_due'


def upgrade():
    for column, partial in PARTIAL.items():
        where = sa.text(f'{column} IS NOT NULL') if partial else None
        op.create_index(
            _name(column), 'followups', [column, 'status', 'due', 'id'],
            sqlite_where=where, postgresql_where=where,
        )
        op.drop_index(f'ix_followups_{column}', table_name='followups')


def downgrade():
    for column in PARTIAL:
        op.create_index(f'ix_followups_{column}', 'followups', [column])
        op.drop_index(_name(column), table_name='followups')
