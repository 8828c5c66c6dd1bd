"""A user's follow-ups as an iCalendar feed, behind a secret token URL.

Only the SHA-256 of a token is stored: the URL is shown once, when it is made, and a
regenerated or revoked token stops working at once.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.db import utcnow
from caseapp.extensions import db
from caseapp.followups.models import CalendarFeed
from caseapp.followups.services import open_followups
from caseapp.masking import mask_followup_for_notice


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_calendar_token(user: User) -> str:
    """A new secret token for ``user``'s feed (any earlier one stops working); returned once."""
    token = secrets.token_urlsafe(32)
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token_hash=_hash(token))
        db.session.add(feed)
    else:
        feed.token_hash = _hash(token)
        feed.created_at = utcnow()
        feed.last_used_at = None
    db.session.flush()
    record("calendar_token", feed, actor=user, summary="issued")
    return token


def revoke_calendar_token(user: User) -> bool:
    """Turn ``user``'s feed off; True if there was one."""
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return False
    record("calendar_token", feed, actor=user, summary="revoked")
    db.session.delete(feed)
    db.session.flush()
    return True


def calendar_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def user_for_token(token: str) -> User | None:
    """The active user whose feed ``token`` opens, or None."""
    if not token or len(token) > 200:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or not feed.user.active:
        return None
    return feed.user


def calendar_for(user: User, link_for) -> bytes:
    """The user's open follow-ups as all-day events on their due dates.

    A follow-up in a confidential case, or made from a confidential document, shows only
    its case's number and "Bevakning" (``mask_followup_for_notice``), so a calendar synced
    to an outside service never carries a confidential title. ``link_for(case)`` gives the
    case's URL.
    """
    # Imported here: icalendar takes a tenth of a second to import, and every process
    # start (each CLI command, each worker) would pay it for a feed it rarely serves.
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//caseapp//bevakningar//SV")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Bevakningar – {user.name}")
    stamp = utcnow()
    for fu in open_followups(user=user, limit=2000):
        ev = Event()
        ev.add("uid", f"followup-{fu.id}@caseapp")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", fu.due)
        ev.add("dtend", fu.due + timedelta(days=1))
        notice = mask_followup_for_notice(fu)
        ev.add("summary", f"{notice.case_number}: {notice.shown_title()}")
        ev.add("url", link_for(fu.case))
        ev.add("description", link_for(fu.case))
        cal.add_component(ev)
    return cal.to_ical()
