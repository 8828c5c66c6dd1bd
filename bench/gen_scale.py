"""Fill a fresh caseapp database with realistic data at scale, through bulk SQL.

    .venv/bin/python bench/gen_scale.py --cases 100000 --documents 1000000 \
        --database sqlite:////work/scale/caseapp.db [--seed 1]

The database is brought to the newest schema first (the app's migrations, as
``caseapp db upgrade`` does) and must then be empty: the generator refuses to add to data
that is there. Rows carry their ids and are written in the order of their foreign keys,
with the keys checked; SQLite loads with WAL and synchronous=OFF, PostgreSQL with COPY.
Numbering is the registry's own (series counters per year, a counter per case), so the
app registers the next case or document with the next free number. Bench README: "Scale:
a million documents".
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import cases, directory, followups, outbox, people, shape  # noqa: E402
from scale.sink import open_sink  # noqa: E402
from scale.world import World  # noqa: E402


def migrate(url: str) -> None:
    """Bring the database to the newest schema with the app's own migrations."""
    from flask_migrate import upgrade

    from caseapp import create_app
    from caseapp.extensions import db

    os.environ.setdefault("CASEAPP_INSTANCE_PATH", tempfile.mkdtemp(prefix="caseapp-scale-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, command_line=True)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def refuse_unless_empty(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for table in ("users", "cases", "documents", "organisations"):
            count = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - the names above
            if conn.scalar(sa.text(count)):
                raise SystemExit(f"{table} has rows: the generator fills an empty database only")
    engine.dispose()


def _report(w: World, step: str, started: float, before: dict[str, int]) -> None:
    w.sink.flush()
    print(f"{step}: {time.perf_counter() - started:.1f} s", flush=True)
    for name, rows in w.sink.rows.items():
        if rows != before.get(name, 0):
            added = rows - before.get(name, 0)
            print(f"  {name:20} {added:>10,} rows  {w.sink.seconds[name]:7.1f} s writing")


def generate(url: str, n_cases: int, n_documents: int, seed: int) -> World:
    sink = open_sink(url)
    w = World(sink, random.Random(seed), datetime.now(UTC), n_cases, n_documents)
    for module in (people, directory, cases, followups, outbox):
        module.declare(w)
    steps = [
        ("users, groups, series", lambda: (people.users(w), people.series_and_programme(w))),
        ("directory", lambda: directory.directory(w)),
        ("cases and documents", lambda: cases.cases_and_documents(w)),
        ("follow-ups", lambda: setattr(w, "followup_case", followups.followups(w))),
        ("subscriptions and outbox", lambda: (outbox.subscriptions(w),
                                              outbox.notifications(w, w.followup_case))),
        ("inbox", lambda: outbox.inbox(w)),
    ]  # fmt: skip
    for step, run in steps:
        started, before = time.perf_counter(), dict(sink.rows)
        run()
        _report(w, step, started, before)
    started = time.perf_counter()
    sink.finish()
    print(f"finishing ({sink.dialect}): {time.perf_counter() - started:.1f} s")
    sink.close()
    return w


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.cases < 1 or args.documents < args.cases:
        parser.error("--cases must be at least 1 and --documents at least --cases")
    if args.database.startswith("sqlite:///"):
        Path(sa.make_url(args.database).database).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    migrate(args.database)
    refuse_unless_empty(args.database)
    print(f"schema ready: {time.perf_counter() - started:.1f} s", flush=True)
    generate(args.database, args.cases, args.documents, args.seed)
    print(f"total: {time.perf_counter() - started:.1f} s")
    print(f"logins (password {shape.PASSWORD}): {shape.ADMIN_EMAIL} (admin), "
          f"registrator1@{shape.OWN_DOMAIN} (registrar), {shape.BUSY_OFFICER_EMAIL} "
          f"(officer with the open follow-ups)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
