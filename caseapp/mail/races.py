"""Replaying a registration whose transaction lost a race with a parallel one.

On PostgreSQL two imports of related mail (the same new contact, the same thread) can
deadlock, fail to serialise, or find a unique key (a contact's address) taken meanwhile.
Such a transaction is rolled back and run again from the start: under its locks it then
sees the other's committed work, so what the other registered is reported as registered,
never registered twice. The mail import command (every path of it) and the inbox's review
page both register through ``replay_lost_races``.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from caseapp.extensions import db

# A deadlock, a serialization failure, or a unique key taken meanwhile.
RETRY_SQLSTATES = {"40P01", "40001", "23505"}
ATTEMPTS = 6

T = TypeVar("T")


def lost_race(exc: sa.exc.DBAPIError) -> bool:
    """Whether ``exc`` says the transaction lost a race with another (``RETRY_SQLSTATES``)."""
    return getattr(exc.orig, "sqlstate", None) in RETRY_SQLSTATES


def replay_lost_races(
    work: Callable[[], T], *, rollback: Callable[[], None] | None = None, attempts: int = ATTEMPTS
) -> T:
    """Run ``work`` (which writes and commits one transaction) and return what it returns.

    Guarantees: when it raises, its transaction is rolled back (``rollback``, by default the
    session's); one that lost a race (``lost_race``) is run again, up to ``attempts`` times
    in all, after a short random pause that grows with each attempt; anything else, and the
    last lost race, is raised. ``work`` must read what it decides on afresh in each run.
    """
    rollback = rollback or db.session.rollback
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa.exc.DBAPIError as exc:
            rollback()
            if not lost_race(exc) or attempt == attempts:
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
        except BaseException:
            rollback()
            raise
    raise AssertionError("unreachable")  # the last attempt returns or raises
