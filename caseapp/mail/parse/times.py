"""Each message's time against the time of the message it quotes or forwards.

A forward cannot be sent before the message it forwards, nor a reply before what it quotes.
When the chain says otherwise the outer time is usually a zone-less time a program wrote in
UTC (the seed's "Skickat: 2021-06-07 12:41:30" forwards a message of 13:42 Swedish time), or
a clock that was wrong. ``read_times`` settles the first case and marks the second; it never
reorders messages and never touches ``sent_as_written`` or ``sent_raw``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from .dates import is_machine_written
from .model import ParsedMessage

STOCKHOLM = ZoneInfo("Europe/Stockholm")
READ_AS_UTC = "read-as-utc"
BEFORE_QUOTED = "before-quoted"


def as_instant(value: datetime) -> datetime:
    """An aware instant: a naive (zone-less) time means Europe/Stockholm wall-clock time."""
    return value.replace(tzinfo=STOCKHOLM) if value.tzinfo is None else value


def read_times(msgs: list[ParsedMessage]) -> None:
    """Compare each message with the next one (the message it quotes or forwards), innermost
    pair first, and set ``time_note`` where the outer one's stated time lies before it:

    - "read-as-utc": the outer time has no zone and is machine-written (``is_machine_written``),
      and read as UTC it no longer lies before the inner one; ``sent`` becomes that aware UTC
      time;
    - "before-quoted": otherwise; ``sent`` is left as written.

    Messages without a time, and outer times at or after the inner one, are left alone. A
    zone-less inner time is Swedish time, or the zone the outer message states: a mail
    client writes the quoted message's header in its own user's zone ("On Wed, Feb 9, 2011
    at 11:55 AM" in a reply sent at 11:55 +03:00); a pair that agrees under either reading
    is left alone."""
    for i in range(len(msgs) - 2, -1, -1):
        outer, inner = msgs[i], msgs[i + 1]
        if outer.sent is None or inner.sent is None:
            continue
        quoted = as_instant(inner.sent)
        if as_instant(outer.sent) >= quoted:
            continue
        if (
            inner.sent.tzinfo is None
            and outer.sent.tzinfo is not None
            and outer.sent >= inner.sent.replace(tzinfo=outer.sent.tzinfo)
        ):
            continue
        if outer.sent.tzinfo is None and is_machine_written(outer.sent_raw):
            as_utc = outer.sent.replace(tzinfo=UTC)
            if as_utc >= quoted:
                outer.sent = as_utc
                outer.time_note = READ_AS_UTC
                continue
        outer.time_note = BEFORE_QUOTED


def local_date(value: datetime) -> date:
    """The Swedish calendar date of a message time (naive times already are Swedish)."""
    return value.date() if value.tzinfo is None else value.astimezone(STOCKHOLM).date()
