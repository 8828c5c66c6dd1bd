"""``db.insert_now``: a row written with a plain INSERT behaves as if flushed — same row,
same defaults, and gone again from the session when its transaction or savepoint rolls
back (bulk imports register thousands of rows this way)."""

import pytest
import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.db import insert_now
from caseapp.directory.models import Contact, Organisation, OrganisationKind
from caseapp.extensions import db
from caseapp.mail.inbox import InboxItem, InboxSource, InboxStatus


def _item(**kw) -> InboxItem:
    return InboxItem(source=InboxSource.CLI, raw_sha256="0" * 64, size=1, media_type="x", **kw)


def test_the_row_and_the_instance_are_what_a_flush_gives(app, factory):
    case = factory.case()
    db.session.commit()
    item = _item(case=case)
    insert_now(db.session(), item)

    assert sa.inspect(item).persistent and not db.session.new and not db.session.dirty
    # Column defaults applied as a flush would, and known to the instance.
    assert item.id is not None and item.status == InboxStatus.PENDING
    assert item.received_at is not None and item.message_count == 0
    table = InboxItem.__table__
    row = db.session.execute(sa.select(table).where(table.c.id == item.id)).one()
    assert (row.case_id, row.status, row.received_at) == (case.id, "pending", item.received_at)
    assert db.session.get(InboxItem, item.id) is item  # in the identity map
    # Later changes go through the unit of work as usual.
    item.subject = "Ändrad"
    db.session.flush()
    assert db.session.execute(sa.select(table.c.subject)).scalar_one() == "Ändrad"


def test_a_related_object_without_an_id_is_flushed_first(app, factory):
    series = factory.series()
    case = Case(series=series, year=2021, seq=99, number="KS 2021/99", title="Ny")
    db.session.add(case)  # pending: no id yet
    item = _item(case=case)
    insert_now(db.session(), item)
    assert case.id is not None and item.case_id == case.id


def test_a_rollback_takes_the_object_out_of_the_session(app):
    item = _item(subject="Rolled back")
    insert_now(db.session(), item)
    first_id = item.id
    db.session.rollback()
    assert not sa.inspect(item).persistent
    assert db.session.get(InboxItem, first_id) is None
    # The id may be given again (SQLite reuses it): no clash with the forgotten object.
    again = _item(subject="Kept")
    insert_now(db.session(), again)
    db.session.commit()
    assert db.session.scalars(sa.select(InboxItem.subject)).all() == ["Kept"]


def test_a_savepoint_rollback_takes_only_its_own_objects_out(app):
    kept = _item(subject="Outer")
    insert_now(db.session(), kept)
    savepoint = db.session.begin_nested()
    inner = _item(subject="Inner")
    insert_now(db.session(), inner)
    savepoint.rollback()
    assert sa.inspect(kept).persistent and not sa.inspect(inner).persistent
    db.session.commit()
    assert db.session.scalars(sa.select(InboxItem.subject)).all() == ["Outer"]


def test_only_new_objects_without_collections_or_back_references(app):
    org = Organisation(kind=OrganisationKind.MUNICIPALITY, name="Kommun")
    db.session.add(org)
    db.session.flush()
    with pytest.raises(ValueError, match="not new"):
        insert_now(db.session(), org)
    with_children = Organisation(
        kind=OrganisationKind.OTHER, name="X", contacts=[Contact(name="Y")]
    )
    with pytest.raises(ValueError, match="must be empty"):
        insert_now(db.session(), with_children)
    # Contact.organisation has a back-reference: the organisation's collection would hold an
    # object its flush knows nothing of.
    with pytest.raises(ValueError, match="back-reference"):
        insert_now(db.session(), Contact(name="Z", organisation=org))
