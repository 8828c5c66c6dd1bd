"""``mail import --yes``: what one file writes — the inbox row marked done with its result,
and every registration and follow-up audited once, in the order it happened."""

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.audit.models import AuditEvent
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.mail.inbox import InboxItem, InboxStatus


@pytest.mark.parametrize("files", [1, 12], ids=["one file", "a bulk run"])
def test_each_registration_is_audited_once_in_order_and_the_item_keeps_its_result(
    runner, world, seed, tmp_path, files
):
    paths = []
    for n in range(files):
        path = tmp_path / f"seed{n}.txt"
        path.write_bytes(seed if n == 0 else make_eml(n))
        paths.append(str(path))
    first = (db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0) + 1
    result = runner.invoke(args=["mail", "import", *paths, "--yes", "--case", world.case.number])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    item = db.session.scalar(sa.select(InboxItem).order_by(InboxItem.id))
    assert item.status == InboxStatus.DONE and item.done_at is not None
    assert item.case_id == world.case.id and item.document_numbers
    assert item.document_numbers == [f"{world.case.number}-1", f"{world.case.number}-2"]

    mine = list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id >= first).order_by(AuditEvent.id)
        )
    )
    kinds = [(e.action, e.entity_type) for e in mine]
    assert kinds[0] == ("receive", "InboxItem")
    assert kinds.count(("receive", "InboxItem")) == files
    # One event per registration: the item's own result is on its row, not logged again.
    assert ("register", "InboxItem") not in kinds
    docs = list(db.session.scalars(sa.select(Document).order_by(Document.id)))
    followups = list(db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)))
    registered = [
        e.entity_id for e in mine if e.action == "register" and e.entity_type == "Document"
    ]
    assert registered == [d.id for d in docs]
    created = [e.entity_id for e in mine if e.action == "create" and e.entity_type == "FollowUp"]
    assert followups and created == [f.id for f in followups]
    # The seed's follow-up is audited after its documents.
    seed_events = [e for e in mine if e.entity_type in ("Document", "FollowUp")][:3]
    assert [e.entity_type for e in seed_events] == ["Document", "Document", "FollowUp"]
    assert all(
        e.case_id == world.case.id for e in mine if e.entity_type in ("Document", "FollowUp")
    )
    assert [e.id for e in mine] == sorted(e.id for e in mine)
