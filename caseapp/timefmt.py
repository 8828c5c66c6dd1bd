"""How dates and times read on a page: ``2021-06-07`` and ``2021-06-07 13:42``, Swedish time.

Stored times are UTC-aware; a naive one is a Swedish wall-clock time (as written in mail).
Templates use these as the ``date``, ``datetime`` and ``as_written`` filters; the audit
history uses them for the values it shows.
"""

import re
from datetime import date, datetime

from caseapp.timeutil import STOCKHOLM, from_wall_clock

_MINUTES = "%Y-%m-%d %H:%M"
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def show_date(value: date | datetime | None) -> str:
    """``2021-06-07``; a datetime is first taken to its Swedish calendar day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = from_wall_clock(value).astimezone(STOCKHOLM).date()
    return value.isoformat()


def show_datetime(value: datetime | None) -> str:
    """``2021-06-07 13:42`` in Swedish time."""
    if value is None:
        return ""
    return from_wall_clock(value).astimezone(STOCKHOLM).strftime(_MINUTES)


def parse_iso(text: str) -> datetime | None:
    """``text`` as a datetime if it is an ISO 8601 date and time (``2021-06-07T13:42``,
    with or without seconds and offset), else None."""
    if not _ISO_DATETIME.fullmatch(text.strip()):
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _offset(value: datetime) -> str:
    """``UTC+02:00`` (``UTC−05:00`` west of Greenwich)."""
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def show_as_written(written: str | None, sent: datetime | None) -> str | None:
    """The time a mail says it was sent, as it said it, when that tells the reader more than
    ``sent`` shown in Swedish time; None when it would only repeat it.

    ``written`` is ``Document.sent_as_written``: ISO 8601 at the mail's precision, with an
    offset when the mail gave one (``2021-06-07T07:42-04:00``), or words the parser kept
    as they were. An ISO value reads ``2021-06-07 07:42 (UTC−04:00)``; words stay words.
    """
    if not written or not written.strip():
        return None
    parsed = parse_iso(written)
    if parsed is None:
        return written.strip()
    aware = from_wall_clock(parsed)
    if sent is not None and show_datetime(aware) == show_datetime(sent):
        same_zone = aware.utcoffset() == aware.astimezone(STOCKHOLM).utcoffset()
        if parsed.tzinfo is None or same_zone:
            return None  # the mail wrote the Swedish time that is shown already
    text = parsed.strftime(_MINUTES)
    return f"{text} ({_offset(parsed)})" if parsed.tzinfo is not None else text
