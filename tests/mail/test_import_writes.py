"""``mail import --yes``: what one file writes — the inbox row updated once, and every
registration, follow-up and inbox change audited, in the order it happened."""

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403

from caseapp.audit.models import AuditEvent
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.mail.inbox import InboxItem, InboxStatus


def test_one_file_updates_its_inbox_row_once_and_audits_everything_in_order(
    runner, world, seed, tmp_path
):
    path = tmp_path / "seed.txt"
    path.write_bytes(seed)
    statements: list[str] = []

    def _log(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)

    first = (db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0) + 1
    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _log)
    try:
        result = runner.invoke(args=["mail", "import", str(path), "--yes"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", _log)
    assert result.exit_code == 0, result.output

    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE INBOX_ITEMS")]
    assert len(updates) == 1
    db.session.expire_all()
    item = db.session.scalar(sa.select(InboxItem))
    assert item.status == InboxStatus.DONE and item.done_at is not None
    assert item.case_id == world.case.id and item.document_numbers

    mine = list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id >= first).order_by(AuditEvent.id)
        )
    )
    kinds = [(e.action, e.entity_type) for e in mine]
    assert kinds[0] == ("receive", "InboxItem") and kinds[-1] == ("register", "InboxItem")
    docs = list(db.session.scalars(sa.select(Document).order_by(Document.id)))
    followups = list(db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)))
    registered = [
        e.entity_id for e in mine if e.action == "register" and e.entity_type == "Document"
    ]
    assert registered == [d.id for d in docs]
    created = [e.entity_id for e in mine if e.action == "create" and e.entity_type == "FollowUp"]
    assert followups and created == [f.id for f in followups]
    # Follow-ups are audited after the documents, the inbox item's registration last.
    order = [e.entity_type for e in mine if e.entity_type in ("Document", "FollowUp")]
    assert order == sorted(order, key=lambda t: t != "Document")
    assert mine[-1].case_id == world.case.id and mine[-1].after == {
        "documents": item.document_numbers
    }
