"""indexes for every foreign key and every order a list offers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00

Every foreign key leads an index (tests/core/test_indexes.py keeps it so): a look-up by
the key (a document's forwards, a contact's documents) and the delete check of the row it
points at read the index, not the table. Keys that are NULL in most rows (who cancelled,
what a follow-up was closed with) get a partial index of the rows that point somewhere, as
documents.moved_to_id did in 0008.

Every list reads its page along an index in its own order, from a cursor: the case list
in each of its sorts, alone and filtered by status, organisation or officer; the directory
lists (only the records not merged away); a case's history; open follow-ups by due date,
per assignee and per case; the pending inbox; the outbox by status. Single-column indexes
that a new composite index leads with are dropped.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

LISTED = "merged_into_id IS NULL"
KEY = "key"  # a partial index of the rows whose first column IS NOT NULL

# (name, table, columns, where)
NEW = [
    ("ix_audit_events_case_at", "audit_events", ["case_id", "at", "id"], None),
    ("ix_audit_events_actor_id", "audit_events", ["actor_id"], KEY),
    ("ix_case_access_user_id", "case_access", ["user_id"], KEY),
    ("ix_case_access_group_id", "case_access", ["group_id"], KEY),
    ("ix_case_access_granted_by_id", "case_access", ["granted_by_id"], KEY),
    ("ix_cases_year_seq", "cases", ["year", "seq", "id"], None),
    ("ix_cases_title", "cases", ["title", "id"], None),
    ("ix_cases_opened_at", "cases", ["opened_at", "id"], None),
    ("ix_cases_updated_at", "cases", ["updated_at", "id"], None),
    ("ix_cases_status_year_seq", "cases", ["status", "year", "seq", "id"], None),
    ("ix_cases_status_title", "cases", ["status", "title", "id"], None),
    ("ix_cases_status_opened_at", "cases", ["status", "opened_at", "id"], None),
    ("ix_cases_status_updated_at", "cases", ["status", "updated_at", "id"], None),
    ("ix_cases_organisation_year_seq", "cases", ["organisation_id", "year", "seq", "id"], None),
    ("ix_cases_officer_year_seq", "cases", ["officer_id", "year", "seq", "id"], None),
    ("ix_cases_round_id", "cases", ["round_id"], KEY),
    ("ix_cases_created_by_id", "cases", ["created_by_id"], KEY),
    ("ix_contacts_listed", "contacts", ["name", "id"], LISTED),
    ("ix_contacts_organisation_name", "contacts", ["organisation_id", "name"], None),
    ("ix_contacts_merged_into_id", "contacts", ["merged_into_id"], KEY),
    ("ix_documents_parent_id", "documents", ["parent_id", "seq"], KEY),
    ("ix_documents_registered_by_id", "documents", ["registered_by_id"], KEY),
    ("ix_documents_cancelled_by_id", "documents", ["cancelled_by_id"], KEY),
    ("ix_documents_moved_by_id", "documents", ["moved_by_id"], KEY),
    ("ix_followups_assignee_user_id", "followups",
     ["assignee_user_id", "status", "due", "id"], KEY),
    ("ix_followups_assignee_group_id", "followups",
     ["assignee_group_id", "status", "due", "id"], KEY),
    ("ix_followups_case_open", "followups", ["case_id", "status", "due", "id"], None),
    ("ix_followups_outcome_document_id", "followups", ["outcome_document_id"], KEY),
    ("ix_followups_reply_document_id", "followups", ["reply_document_id"], KEY),
    ("ix_followups_closed_by_id", "followups", ["closed_by_id"], KEY),
    ("ix_followups_created_by_id", "followups", ["created_by_id"], KEY),
    ("ix_inbox_items_status_received_at", "inbox_items", ["status", "received_at", "id"], None),
    ("ix_inbox_items_case_id", "inbox_items", ["case_id"], KEY),
    ("ix_inbox_items_created_by_id", "inbox_items", ["created_by_id"], KEY),
    ("ix_inbox_items_done_by_id", "inbox_items", ["done_by_id"], KEY),
    ("ix_mailboxes_organisation_address", "mailboxes", ["organisation_id", "address"], None),
    ("ix_mailboxes_merged_into_id", "mailboxes", ["merged_into_id"], KEY),
    ("ix_notifications_status_id", "notifications", ["status", "id"], None),
    ("ix_notifications_reminder_id", "notifications", ["reminder_id"], KEY),
    ("ix_organisations_listed", "organisations", ["name", "id"], LISTED),
    ("ix_organisations_merged_into_id", "organisations", ["merged_into_id"], KEY),
    ("ix_parties_contact_id", "parties", ["contact_id", "document_id"], KEY),
    ("ix_parties_mailbox_id", "parties", ["mailbox_id", "document_id"], KEY),
    ("ix_parties_organisation_id", "parties", ["organisation_id", "document_id"], KEY),
    ("ix_password_resets_created_by_id", "password_resets", ["created_by_id"], KEY),
    ("ix_settings_updated_by_id", "settings", ["updated_by_id"], KEY),
    ("ix_subscriptions_created_by_id", "subscriptions", ["created_by_id"], KEY),
    ("ix_user_group_members_user_id", "user_group_members", ["user_id"], None),
]

# Led by a new index above, or widened (ix_followups_status_due gains the id).
OLD = [
    ("ix_audit_events_case_id", "audit_events", ["case_id"], None),
    ("ix_cases_status", "cases", ["status"], None),
    ("ix_cases_organisation_id", "cases", ["organisation_id"], None),
    ("ix_cases_officer_id", "cases", ["officer_id"], None),
    ("ix_followups_assignee_user_id", "followups", ["assignee_user_id"], None),
    ("ix_followups_assignee_group_id", "followups", ["assignee_group_id"], None),
    ("ix_followups_case_id", "followups", ["case_id"], None),
    ("ix_followups_status_due", "followups", ["status", "due"], None),
    ("ix_inbox_items_status", "inbox_items", ["status"], None),
]
WIDENED = [("ix_followups_status_due", "followups", ["status", "due", "id"], None)]


def _create(name, table, columns, where):
    if where == KEY:
        where = f"{columns[0]} IS NOT NULL"
    kw = {}
    if where:
        kw = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
    op.create_index(name, table, columns, **kw)


def upgrade():
    for name, table, _columns, _where in OLD:
        op.drop_index(name, table_name=table)
    for index in NEW + WIDENED:
        _create(*index)


def downgrade():
    for name, table, _columns, _where in NEW + WIDENED:
        op.drop_index(name, table_name=table)
    for index in OLD:
        _create(*index)
