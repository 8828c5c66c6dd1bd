"""`send-reminders` over N open follow-ups (default 100 000).

    python bench/reminders_bench.py [N] [--database-url URL]

The follow-ups are spread over 60 due dates and four assignment shapes (user, group of 3,
nobody → case officer); the run is timed at a day on which every follow-up is at some stage,
then timed again (idempotent: nothing new).
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=100_000)
    p.add_argument("--database-url", default=None)
    args = p.parse_args()
    logging.disable(logging.INFO)

    from _fu_common import make_app

    app, db = make_app(args.database_url)
    from caseapp.auth.models import Role, User
    from caseapp.cases.services import open_case
    from caseapp.followups.models import FollowUp, UserGroup
    from caseapp.notifications.reminders import send_reminders
    from caseapp.registry.services import create_series
    from caseapp.timeutil import STOCKHOLM

    users = [User(email=f"u{i}@example.org", name=f"U {i}", role=Role.OFFICER) for i in range(50)]
    db.session.add_all(users)
    group = UserGroup(name="Registraturen", members=users[:3])
    db.session.add(group)
    series = create_series("KS", name="Kommunstyrelsen", actor=None)
    cases = [
        open_case(series, title=f"Ärende {i}", actor=None, officer=users[i % 50])
        for i in range(200)
    ]
    db.session.commit()
    base = date(2021, 11, 1)
    t = FollowUp.__table__
    now = datetime(2021, 10, 1, tzinfo=STOCKHOLM)
    rows = []
    for i in range(args.n):
        shape = i % 4
        rows.append(
            {
                "case_id": cases[i % 200].id,
                "kind": "task",
                "title": f"Bevakning {i}",
                "due": base - timedelta(days=i % 60),
                "assignee_user_id": users[i % 50].id if shape in (0, 1) else None,
                "assignee_group_id": group.id if shape == 2 else None,
                "status": "open",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    t0 = time.perf_counter()
    for i in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(t), rows[i : i + 10_000])
    db.session.commit()
    print(f"inserted {args.n} follow-ups in {time.perf_counter() - t0:.1f} s")
    if db.engine.dialect.name == "postgresql":
        # Fresh bulk-loaded tables have no statistics until autovacuum gets to them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))

    when = datetime(2021, 10, 29, 8, 0, tzinfo=STOCKHOLM)
    t0 = time.perf_counter()
    run = send_reminders(when)
    db.session.commit()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = send_reminders(when)
    db.session.commit()
    second = time.perf_counter() - t0
    print(
        f"{db.engine.dialect.name}: first run {first:.2f} s "
        f"({run.reminders} reminders, {run.notifications} notifications); "
        f"second run {second:.2f} s ({again.reminders} reminders, {again.notifications})"
    )


if __name__ == "__main__":
    main()
