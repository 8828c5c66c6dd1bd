"""Document parties follow a merged organisation, contact or mailbox.

Receivers of ``caseapp.signals.organisation_merged``, ``contact_merged`` and
``mailbox_merged``: each moves the parties that point at the duplicate to the record kept,
in the merging transaction, and says how many moved. A party's name and address stay as
registered; only its link to the directory changes.
"""

import sqlalchemy as sa

from caseapp.documents.models import Party
from caseapp.extensions import db


def _relink(column, keep, duplicate) -> dict[str, int]:
    result = db.session.execute(
        sa.update(Party).where(column == duplicate.id).values({column.key: keep.id})
    )
    return {"parties": result.rowcount}


def follow_merged_organisation(_sender=None, *, keep, duplicate, **_kwargs) -> dict[str, int]:
    return _relink(Party.organisation_id, keep, duplicate)


def follow_merged_contact(_sender=None, *, keep, duplicate, **_kwargs) -> dict[str, int]:
    return _relink(Party.contact_id, keep, duplicate)


def follow_merged_mailbox(_sender=None, *, keep, duplicate, **_kwargs) -> dict[str, int]:
    return _relink(Party.mailbox_id, keep, duplicate)
