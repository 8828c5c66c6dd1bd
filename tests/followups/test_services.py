"""Follow-up rules: create, edit, close, reopen, svar väntas."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseapp.audit.models import AuditEvent
from caseapp.documents.models import Direction, DocumentKind
from caseapp.errors import ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.followups import lists
from caseapp.followups import services as fs
from caseapp.followups.models import FollowUp, FollowUpOutcome, FollowUpStatus, UserGroup


def test_create_followup_moves_a_sunday_and_says_so(app, factory):
    case = factory.case()
    user = factory.user("officer")
    doc = factory.document(case)
    fu = fs.create_followup(
        case,
        title="  Återkomma  till Ånge ",
        due=date(2021, 10, 31),
        actor=user,
        assignee=user,
        document=doc,
    )
    assert fu.due == date(2021, 10, 29) and fu.requested_due == date(2021, 10, 31)
    assert fu.title == "Återkomma till Ånge" and fu.status == FollowUpStatus.OPEN
    assert fu.assignee_user == user and fu.document == doc
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "FollowUp"))
    assert event.action == "create" and event.after["requested_due"] == "2021-10-31"


def test_create_followup_refuses_bad_input(app, factory):
    case, other = factory.case(), factory.case(title="Annat")
    with pytest.raises(ServiceError):
        fs.create_followup(case, title=" ", due=date(2021, 10, 29), actor=None)
    with pytest.raises(ServiceError):
        fs.create_followup(
            case, title="x", due=date(2021, 10, 29), actor=None, document=factory.document(other)
        )


def test_user_and_group_together_are_refused_by_the_database(app, factory):
    user = factory.user("officer")
    group = UserGroup(name="Grupp", members=[user])
    db.session.add(group)
    fu = fs.create_followup(factory.case(), title="x", due=date(2021, 10, 29), actor=None)
    fu.assignee_user_id, fu.assignee_group_id = user.id, group.id
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_close_reopen_cancel(app, factory):
    case = factory.case()
    officer = factory.user("officer")
    reply = factory.document(case, direction=Direction.OUT, subject="Svar")
    fu = fs.create_followup(case, title="x", due=date(2021, 10, 29), actor=None)
    with pytest.raises(ServiceError):
        fs.close_followup(fu, actor=officer, outcome=FollowUpOutcome.ANSWERED)
    fs.close_followup(fu, actor=officer, outcome=FollowUpOutcome.ANSWERED, document=reply)
    assert (fu.status, fu.outcome_document, fu.closed_by) == (FollowUpStatus.DONE, reply, officer)
    assert fu.closed_at is not None
    with pytest.raises(ServiceError):
        fs.close_followup(fu, actor=officer, outcome=FollowUpOutcome.NO_ACTION)
    fs.reopen_followup(fu, actor=officer)
    assert fu.status == FollowUpStatus.OPEN and fu.outcome is None and fu.closed_at is None
    fs.cancel_followup(fu, actor=officer, note="Inte aktuellt")
    assert fu.status == FollowUpStatus.CANCELLED
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "FollowUp")
    ).all()
    assert actions == ["create", "close", "reopen", "cancel"]


def test_update_refuses_a_stale_version(app, factory):
    fu = fs.create_followup(factory.case(), title="x", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    with pytest.raises(StaleEdit):
        fs.update_followup(fu, version=fu.version + 1, actor=None, title="y", due=fu.due)
    fs.update_followup(fu, version=fu.version, actor=None, title="y", due=date(2021, 11, 6))
    assert fu.title == "y" and fu.due == date(2021, 11, 5)


def test_awaiting_reply_is_flagged_by_a_reply_and_closed_with_it(app, factory):
    case = factory.case()
    incoming = factory.document(case, direction=Direction.IN, subject="Fråga om lokaler")
    fu = fs.await_reply(incoming, due=date(2021, 11, 15), actor=None)
    assert fu.title == "Svar väntas: Fråga om lokaler" and fu.document == incoming
    with pytest.raises(ServiceError):
        fs.await_reply(incoming, due=date(2021, 11, 15), actor=None)

    # A forward of the question is no answer.
    factory.document(case, direction=Direction.OUT, kind=DocumentKind.FORWARD, parent=incoming)
    assert fu.reply_document is None

    reply = factory.document(
        case, direction=Direction.OUT, kind=DocumentKind.REPLY, subject="SV: Fråga", parent=incoming
    )
    assert fu.reply_document == reply and fu.status == FollowUpStatus.OPEN
    fs.close_with_reply(fu, actor=None)
    assert fu.outcome == FollowUpOutcome.ANSWERED and fu.outcome_document == reply


def test_a_reply_by_message_id_is_recognised(app, factory):
    case = factory.case()
    incoming = factory.document(case, message_id="<fraga@ange.se>")
    fu = fs.await_reply(incoming, due=date(2021, 11, 15), actor=None)
    factory.document(case, direction=Direction.OUT, in_reply_to="<fraga@ange.se>")
    assert fu.reply_document is not None


def test_only_incoming_documents_await_replies(app, factory):
    doc = factory.document(direction=Direction.OUT)
    with pytest.raises(ServiceError):
        fs.await_reply(doc, due=date(2021, 11, 15), actor=None)


def test_counts_and_buckets(app, factory):
    me = factory.user("officer")
    group = UserGroup(name="G", members=[me])
    db.session.add(group)
    case = factory.case(officer=me)
    other_case = factory.case(title="Annat")
    today = date(2021, 10, 27)  # a Wednesday
    for due, assignee, c in [
        (date(2021, 10, 20), me, case),  # overdue
        (date(2021, 10, 27), group, other_case),  # today, through my group
        (date(2021, 10, 27), None, case),  # today, as case officer
        (date(2021, 10, 29), me, case),  # this week
        (date(2021, 11, 10), me, case),  # later
        (date(2021, 10, 20), None, other_case),  # someone else's
    ]:
        fs.create_followup(c, title="x", due=due, actor=None, assignee=assignee)
    counts = lists.open_counts(me, today)
    assert (counts.overdue, counts.today) == (1, 2)
    b = fs.bucket(fs.open_followups(user=me), today)
    assert [len(b.overdue), len(b.today), len(b.this_week), len(b.later)] == [1, 2, 1, 1]
    assert len(db.session.scalars(sa.select(FollowUp)).all()) == 6


def test_create_followups_moves_off_holidays_links_and_audits_each(app, factory):
    case = factory.case()
    doc = factory.document(case)
    db.session.commit()
    created = fs.create_followups(
        case,
        [
            fs.NewFollowUp("Återkomma", date(2021, 10, 31)),  # a Sunday: moved to Friday
            fs.NewFollowUp("Svar väntas", date(2021, 11, 3), document=doc),
        ],
        actor=None,
    )
    assert sa.inspect(created[0]).persistent and created[0].id is not None
    assert [f.due for f in created] == [date(2021, 10, 29), date(2021, 11, 3)]
    assert created[0].requested_due == date(2021, 10, 31) and created[1].requested_due is None
    assert created[1].document is doc
    db.session.commit()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "FollowUp").order_by(AuditEvent.id)
    ).all()
    assert [e.entity_id for e in events] == [f.id for f in created]
    assert events[0].after["requested_due"] == "2021-10-31"
    assert all(f.version == 1 for f in created)  # written once, no UPDATE after the INSERT


def test_create_followups_checks_all_before_adding_any(app, factory):
    case = factory.case()
    other = factory.document(factory.case("Annat"))
    with pytest.raises(ServiceError):
        fs.create_followups(
            case,
            [
                fs.NewFollowUp("Bra", date(2021, 10, 29)),
                fs.NewFollowUp("Fel ärende", date(2021, 10, 29), document=other),
            ],
            actor=None,
        )
    assert not [o for o in db.session.new if isinstance(o, FollowUp)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0
