"""Time helpers: stored in UTC, shown and reasoned about in Europe/Stockholm."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from caseapp.db import utcnow

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_now() -> datetime:
    return utcnow().astimezone(STOCKHOLM)


def local_today() -> date:
    return local_now().date()


def from_wall_clock(value: datetime) -> datetime:
    """A naive wall-clock time (as written in Swedish mail) made aware in Europe/Stockholm."""
    return value.replace(tzinfo=STOCKHOLM) if value.tzinfo is None else value


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start and end (UTC-aware) of a calendar day in Stockholm, right across DST changes."""
    start = datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=STOCKHOLM)
    return start, end
