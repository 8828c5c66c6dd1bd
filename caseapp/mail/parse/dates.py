"""Dates as mail clients write them, in Swedish, English, German, Norwegian, Danish and
Finnish (and the month names of French, Italian, Spanish, Portuguese, Dutch, Polish and
Czech), and RFC 2822.

``parse_date`` returns a ``WrittenDate`` or None. It never raises. A time written without a
zone gives a naive datetime (meaning Europe/Stockholm wall-clock time); a stated offset gives
an aware one. ``as_written`` keeps the precision the writer used: "2021-06-07T13:42" when no
seconds were written, and no offset when none was stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

# Month names by number: Swedish, English, German, Norwegian, Danish and Finnish (also the
# words of follow-up phrases, see ``PHRASE_MONTHS``), then the months as French, Italian,
# Spanish, Portuguese, Dutch, Polish and Czech mail clients write them in a header's date
# (full names only, in the forms used after a day: Polish and Czech genitives too; their
# abbreviations are left out, as many are words elsewhere: "set", "ago", "out"; so are
# names that are also given names, "Marco" and Polish "maja", which would be taken for the
# month in "Maja Ek <maja@…> wrote on 7 June").
_NAMES = [
    "januari january januar jan tammikuu tammikuuta janvier enero gennaio",
    "februari february februar feb helmikuu helmikuuta",
    "mars march märz maerz marts mar maaliskuu maaliskuuta mär",
    "april apr huhtikuu huhtikuuta",
    "maj may mai toukokuu toukokuuta",
    "juni june jun kesäkuu kesäkuuta",
    "juli july jul heinäkuu heinäkuuta",
    "augusti august aug elokuu elokuuta",
    "september sep sept syyskuu syyskuuta",
    "oktober october okt oct lokakuu lokakuuta",
    "november nov marraskuu marraskuuta",
    "december december dezember desember dec dez des joulukuu joulukuuta",
]
_MORE_NAMES = [
    "janvier gennaio enero janeiro januari stycznia styczeń ledna leden",
    "février fevrier febbraio febrero fevereiro februari lutego luty února únor",
    "marzo março maart marca marzec března březen",
    "avril aprile abril april kwietnia kwiecień dubna duben",
    "mai maggio mayo maio mei května květen",
    "juin giugno junio junho juni czerwca czerwiec června červen",
    "juillet luglio julio julho juli lipca lipiec července červenec",
    "août aout agosto augustus sierpnia sierpień srpna srpen",
    "septembre settembre septiembre setiembre setembro september września wrzesień září",
    "octobre ottobre octubre outubro oktober października październik října říjen",
    "novembre noviembre novembro november listopada listopad listopadu",
    "décembre decembre dicembre diciembre dezembro december grudnia grudzień prosince prosinec",
]
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(_NAMES, start=1):
    for _n in _names.split():
        MONTHS[_n] = _num
PHRASE_MONTHS = dict(MONTHS)
for _num, _names in enumerate(_MORE_NAMES, start=1):
    for _n in _names.split():
        MONTHS.setdefault(_n, _num)

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_RE = re.compile(rf"(?<![^\W\d_])({_MONTH_ALT})\.?(?![^\W\d_])", re.IGNORECASE)
_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:T|\s+|,\s*)(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?)?"
)
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})([./])(\d{1,2})\2(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:.])(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?!\d)\s*(a\.?m\.?|p\.?m\.?)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|21\d\d)(?!\d)")
_DAY = re.compile(r"(?<![\d:.+-])(\d{1,2})(?:st|nd|rd|th|\.)?(?![\d:])")
_OFFSET = re.compile(r"(?:\b(?:GMT|UTC)\s*)?([+-])(\d{1,2}):?(\d{2})?(?!\d)|\b(GMT|UTC|Z)\b")
_RFC2822_HINT = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d")

MAX_DATE_TEXT = 200  # dates are short; refusing long text keeps every regex cheap
# A time as programs write it: ISO 8601 date and time, nothing before or after, no zone.
_MACHINE = re.compile(r"\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*")


@dataclass(frozen=True)
class WrittenDate:
    value: datetime
    as_written: str
    raw: str


def _iso(dt: datetime, seconds: bool) -> str:
    s = dt.strftime("%Y-%m-%dT%H:%M:%S" if seconds else "%Y-%m-%dT%H:%M")
    if dt.tzinfo is not None:
        off = dt.utcoffset() or timedelta(0)
        total = int(off.total_seconds()) // 60
        sign = "+" if total >= 0 else "-"
        total = abs(total)
        s += f"{sign}{total // 60:02d}:{total % 60:02d}"
    return s


def _make(y, mo, d, h=0, mi=0, sec=None, tz=None, raw="") -> WrittenDate | None:
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), tzinfo=tz)
    except (ValueError, OverflowError):
        return None
    return WrittenDate(dt, _iso(dt, sec is not None), raw)


def _offset(text: str) -> timezone | None:
    m = _OFFSET.search(text)
    if not m:
        return None
    if m.group(4):
        return UTC
    hours = int(m.group(2))
    minutes = int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def _rfc2822(text: str) -> WrittenDate | None:
    from email.utils import parsedate_tz

    try:
        t = parsedate_tz(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if not t or t[0] < 1900:
        return None
    y, mo, d, h, mi, sec, *_rest, off = t
    # Real offsets lie within ±14 h; a mangled header can claim days, which timezone() refuses.
    tz = None if off is None or abs(off) > 14 * 3600 else timezone(timedelta(seconds=off))
    return _make(y, mo, d, h, mi, sec, tz, text)


def parse_date(text: str | None) -> WrittenDate | None:
    """Parse a date as found after a "Sent:"/"Skickat:"/"Date:" label or in an attribution
    line. Returns None when no full date (day, month, year) can be found."""
    if not text:
        return None
    raw = text.strip()
    text = raw[:MAX_DATE_TEXT]
    m = _ISO.search(text)
    if m:
        y, mo, d, h, mi, sec = m.groups()
        tz = _offset(text[m.end() :]) if h else None
        if h is None:
            return _make(y, mo, d, raw=raw)
        return _make(y, mo, d, h, mi, sec, tz, raw)
    if _RFC2822_HINT.match(text):
        r = _rfc2822(text)
        if r:
            return WrittenDate(r.value, r.as_written, raw)
    return _free_form(text, raw)


def _free_form(text: str, raw: str) -> WrittenDate | None:
    lower = text.lower()
    y = mo = d = None
    rest = lower
    m = _NUMERIC.search(lower)
    if m:
        # 07.06.2021 or 7/6/2021: European day-first unless the day cannot be a month day
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        d, mo = (a, b) if b <= 12 else (b, a)
        rest = lower[: m.start()] + " " + lower[m.end() :]
    else:
        mm = _MONTH_RE.search(lower)
        ym = _YEAR.search(lower)
        if not mm or not ym:
            return None
        mo = MONTHS[mm.group(1).lower()]
        y = int(ym.group(1))
        # the day is the number nearest the month name (before: "7 juni", after: "June 7")
        before = lower[: mm.start()]
        after = lower[mm.end() : ym.start()] if ym.start() > mm.end() else ""
        cands = [dm for dm in _DAY.finditer(before) if 1 <= int(dm.group(1)) <= 31]
        day = None
        if cands:
            day = int(cands[-1].group(1))
        else:
            am = _DAY.search(after)
            if am and 1 <= int(am.group(1)) <= 31:
                day = int(am.group(1))
        if day is None:
            return None
        d = day
        rest = lower[ym.end() :]
    tm = _TIME.search(rest)
    if not tm:
        return _make(y, mo, d, raw=raw)
    h, mi, sec, ampm = int(tm.group(1)), int(tm.group(2)), tm.group(3), tm.group(4)
    if ampm:
        pm = ampm.startswith("p")
        if h == 12:
            h = 0
        if pm:
            h += 12
    tz = _offset(rest[tm.end() :])
    return _make(y, mo, d, h, mi, sec, tz, raw)


def is_machine_written(raw: str | None) -> bool:
    """True if ``raw`` is a date and time as a program writes it ("2021-06-07 12:41:30",
    "2021-06-07T12:41") with no zone and no words: a form a person does not type, that some
    mailers and export tools write in UTC without saying so."""
    return bool(raw) and len(raw) <= MAX_DATE_TEXT and _MACHINE.fullmatch(raw) is not None
