"""Reminder runs: stages, idempotency, recipients, DST and year ends."""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from caseapp.extensions import db
from caseapp.followups.cli import parse_now
from caseapp.followups.models import Reminder, UserGroup
from caseapp.followups.services import close_followup, create_followup
from caseapp.notifications.models import Notification
from caseapp.notifications.reminders import send_reminders
from caseapp.timeutil import STOCKHOLM


def at(text: str) -> datetime:
    return parse_now(text)


def _sent() -> list[tuple[str, int, str]]:
    rows = db.session.execute(
        sa.select(Notification.recipient_email, Reminder.stage, Reminder.followup_id)
        .join(Reminder, Notification.reminder_id == Reminder.id)
        .order_by(Notification.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


@pytest.fixture
def officer(factory):
    return factory.user("officer", email="handlaggare@example.org", name="Hanna Handläggare")


@pytest.fixture
def followup(factory, officer):
    coordinator = factory.user("officer", email="samordnare@example.org", name="Sam Samordnare")
    case = factory.case(officer=officer)
    fu = create_followup(
        case,
        title="Återkomma till Ånge kommun",
        due=date(2021, 10, 29),
        actor=None,
        assignee=coordinator,
    )
    db.session.commit()
    return fu


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2021-10-21T23:59", []),  # eight days before: no stage yet
        ("2021-10-22T00:00", [("samordnare@example.org", -7)]),
        ("2021-10-28T12:00", [("samordnare@example.org", -7)]),  # still stage -7
        ("2021-10-29T08:00", [("samordnare@example.org", 0)]),
        ("2021-11-01T08:00", [("samordnare@example.org", 3)]),
        ("2021-11-05T08:00", [("handlaggare@example.org", 7)]),  # escalation: the officer
        ("2022-03-01T08:00", [("handlaggare@example.org", 7)]),  # a late first run escalates
    ],
)
def test_the_current_stage_is_sent(app, followup, now, expected):
    send_reminders(at(now))
    db.session.commit()
    assert _sent() == expected


def test_each_stage_once_however_often_it_runs(app, followup):
    for now in [
        "2021-10-22T08:00",
        "2021-10-22T09:00",
        "2021-10-25T08:00",
        "2021-10-29T07:00",
        "2021-10-29T16:00",
        "2021-11-01T08:00",
        "2021-11-08T08:00",
        "2021-11-09T08:00",
    ]:
        run = send_reminders(at(now))
        db.session.commit()
        assert run.today == at(now).date()
    assert _sent() == [
        ("samordnare@example.org", -7),
        ("samordnare@example.org", 0),
        ("samordnare@example.org", 3),
        ("handlaggare@example.org", 7),
    ]


def test_closed_follow_ups_are_not_reminded(app, followup):
    close_followup(followup, actor=None, outcome="dealt_with")
    db.session.commit()
    send_reminders(at("2021-10-29T08:00"))
    assert _sent() == []


def test_group_members_each_get_one_and_nobody_named_means_the_officer(app, factory, officer):
    a = factory.user("officer", email="a@example.org")
    b = factory.user("officer", email="b@example.org")
    inactive = factory.user("officer", email="c@example.org", active=False)
    group = UserGroup(name="Registraturen", members=[a, b, inactive])
    db.session.add(group)
    case = factory.case(officer=officer)
    create_followup(case, title="Gruppens", due=date(2021, 10, 29), actor=None, assignee=group)
    create_followup(case, title="Ingen namngiven", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    send_reminders(at("2021-10-29T08:00"))
    db.session.commit()
    assert sorted(_sent()) == [
        ("a@example.org", 0),
        ("b@example.org", 0),
        ("handlaggare@example.org", 0),
    ]


def test_escalation_without_officer_goes_to_the_configured_coordinator(app, factory):
    app.config["FOLLOWUP_ESCALATION_EMAIL"] = "samordning@example.org"
    case = factory.case()
    create_followup(case, title="Utan handläggare", due=date(2021, 10, 29), actor=None)
    db.session.commit()
    send_reminders(at("2021-11-08T08:00"))
    assert _sent() == [("samordning@example.org", 7)]


def test_stages_come_from_config(app, followup):
    app.config.update(FOLLOWUP_REMINDER_STAGES=[-1], FOLLOWUP_ESCALATION_STAGE=None)
    send_reminders(at("2021-10-22T08:00"))
    assert _sent() == []
    send_reminders(at("2021-10-28T08:00"))
    assert _sent() == [("samordnare@example.org", -1)]


# ------------------------------------------------------------------ clocks


@pytest.mark.parametrize(
    ("utc", "local_day"),
    [
        # Spring forward, last Sunday of March 2021: 02:00 CET becomes 03:00 CEST.
        (datetime(2021, 3, 27, 22, 59, tzinfo=UTC), date(2021, 3, 27)),
        (datetime(2021, 3, 27, 23, 0, tzinfo=UTC), date(2021, 3, 28)),
        (datetime(2021, 3, 28, 1, 30, tzinfo=UTC), date(2021, 3, 28)),
        (datetime(2021, 3, 28, 21, 59, tzinfo=UTC), date(2021, 3, 28)),
        (datetime(2021, 3, 28, 22, 0, tzinfo=UTC), date(2021, 3, 29)),
        # Fall back, last Sunday of October 2021: 03:00 CEST becomes 02:00 CET.
        (datetime(2021, 10, 30, 21, 59, tzinfo=UTC), date(2021, 10, 30)),
        (datetime(2021, 10, 30, 22, 0, tzinfo=UTC), date(2021, 10, 31)),
        (datetime(2021, 10, 31, 0, 30, tzinfo=UTC), date(2021, 10, 31)),
        (datetime(2021, 10, 31, 1, 30, tzinfo=UTC), date(2021, 10, 31)),
        (datetime(2021, 10, 31, 22, 59, tzinfo=UTC), date(2021, 10, 31)),
        (datetime(2021, 10, 31, 23, 0, tzinfo=UTC), date(2021, 11, 1)),
        # Year end: Stockholm is an hour ahead of UTC in winter.
        (datetime(2021, 12, 31, 22, 59, tzinfo=UTC), date(2021, 12, 31)),
        (datetime(2021, 12, 31, 23, 0, tzinfo=UTC), date(2022, 1, 1)),
    ],
)
def test_a_frozen_clock_gives_the_stockholm_day(app, utc, local_day):
    with time_machine.travel(utc, tick=False):
        assert send_reminders().today == local_day


def test_dst_change_weekend_and_year_end_each_stage_once(app, factory, officer):
    """Follow-ups due around both DST changes and across the new year, run every hour
    through the whole period with a frozen clock: every stage exactly once, on its day."""
    case = factory.case(officer=officer)
    dues = [date(2021, 3, 29), date(2021, 11, 1), date(2022, 1, 3)]
    for due in dues:
        create_followup(case, title=f"Förfaller {due}", due=due, actor=officer)
    db.session.commit()
    windows = [
        (datetime(2021, 3, 20, tzinfo=UTC), 24 * 18),
        (datetime(2021, 10, 24, tzinfo=UTC), 24 * 18),
        (datetime(2021, 12, 26, tzinfo=UTC), 24 * 18),
    ]
    from datetime import timedelta

    first_seen: dict[tuple[int, int], date] = {}
    for start, hours in windows:
        for h in range(0, hours, 3):
            now = start + timedelta(hours=h)
            with time_machine.travel(now, tick=False):
                send_reminders()
                db.session.commit()
            for fid, stage in db.session.execute(sa.select(Reminder.followup_id, Reminder.stage)):
                first_seen.setdefault((fid, stage), now.astimezone(STOCKHOLM).date())
    rows = db.session.execute(sa.select(Reminder.followup_id, Reminder.stage)).all()
    assert len(rows) == len(set(rows)) == 12  # 3 follow-ups × 4 stages
    by_id = {fid: due for fid, due in zip(sorted({r[0] for r in rows}), dues, strict=True)}
    for (fid, stage), day in first_seen.items():
        assert day == by_id[fid] + timedelta(days=stage), (fid, stage)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 12


def test_two_runs_at_once_queue_nothing_twice(app, followup):
    """Two runs in separate sessions (as on two machines) at the same moment."""
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            r = send_reminders(at("2021-10-22T08:00"))
            db.session.commit()
            results.append(r.notifications)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1]
    assert _sent() == [("samordnare@example.org", -7)]


def test_cli_send_reminders_reads_stockholm_wall_time(app, runner, followup):
    result = runner.invoke(args=["followups", "send-reminders", "--now", "2021-10-22T00:30"])
    assert result.exit_code == 0, result.output
    assert "2021-10-22: 1 reminder(s), 1 notification(s) queued" in result.output
    bad = runner.invoke(args=["followups", "send-reminders", "--now", "22/10/2021"])
    assert bad.exit_code != 0
