"""The one table of follow-up phrases: each rule's words and how its due date is found.

A rule is a regular expression that starts at one of its ``lead`` words and a resolver that
turns the match and the message's sending date into a target date and a direction;
``followups`` scans text with the whole table and moves each target to a Swedish working
day (``caseapp.workdays``). Rules cover Swedish, English, Danish and Norwegian (and
Finnish for working days).

How dates are chosen (the documented rules; ``bench/parser_heldout`` is scored on them):

- Working days: a target that falls on a weekend or a Swedish holiday (with midsummer,
  Christmas and New Year's eves) moves to the working day BEFORE it ("before"); targets
  that mean the start of something ("i början av …", "efter påsk") move to the working day
  AFTER ("after"). A target moved back to before the sending date moves forward instead.
- Past dates are not follow-ups: a date or period that ends before the sending date gives
  nothing, whether its year is written ("i slutet av oktober 2021" in 2022) or not ("den
  3 maj" in June).
- Without a year, a date, month, week, quarter or half-year is the occurrence (last year's,
  this year's or next year's) whose start lies nearest the sending date: "senast den 14
  januari" written in December is next January, "i slutet av maj" written in June is the
  May just gone, so past. "nästa år"/"next year"/"næste år"/"neste år" after the month or
  date means next year's.
- Seasons and named days are forward-looking words ("efter påsk", "till hösten"): the next
  occurrence on or after the sending date.
- "inom N arbetsdagar"/"within N working (business) days" and "senast N arbetsdagar efter
  …" count N working days after the sending day (the anchor after "efter" is usually the
  receipt of this very message; another anchor cannot be known, and a person confirms the
  proposal). "inom N dagar/veckor/månader" are calendar days, weeks and months.
- Weeks: "nästa vecka"/"next week" is Friday of the next week, "i början av nästa vecka"
  its Monday, "i mitten av" its Wednesday, "vecka 43"/"v. 43" Friday of ISO week 43. A
  weekday ("senast på torsdag", "by Thursday") is the next such day after the sending day;
  "nästa måndag"/"next Monday"/"fredag nästa vecka" is that day of the next week.
- The Swedish year: "före/till påsk" the day before Good Friday, "efter påsk" the day after
  Easter Monday, "till valborg" 30 April, "efter valborg" 2 May, "till midsommar" the day
  before midsummer eve, "efter midsommar" the Monday after, "före sommaren/semestern" the
  day before midsummer eve, "efter sommaren/semestrarna" the second Monday of August
  (offices are back from the July holidays by then), "före/till jul" 23 December, "efter
  jul" the day after Epiphany, "i mellandagarna" the last working day before New Year's Eve,
  "till nyår"/"vid årsskiftet" 30 December, "efter nyår/årsskiftet" the first working day
  of January, "till hösten" 1 September, "i höst" the end of November, "till våren"
  1 March, "i vår" the end of May.
- Quarters and halves ("Q3", "tredje kvartalet 2022", "första halvåret", "H2 2023", "in the
  first half of 2024") are due on their last day; "i början av Q3" on its first.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from caseapp.workdays import add_working_days

from .dates import PHRASE_MONTHS as MONTHS

BEFORE, AFTER, EXACT = "before", "after", "exact"
Target = tuple[date, str]


@dataclass(frozen=True)
class Rule:
    """One kind of phrase. ``lead`` are the words a phrase of this rule starts with, in lower
    case ("#" for a number: "10 työpäivän", "3. kvartal"); the scan tries a rule only where
    one of them stands. ``resolve`` returns the target date and direction, or None when the
    phrase gives no follow-up."""

    name: str
    lead: tuple[str, ...]
    pattern: re.Pattern
    resolve: Callable[[re.Match, date], Target | None]


# ---------------------------------------------------------------- words

NUMBERS = {
    # Swedish
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14,
    "femton": 15, "tjugo": 20, "trettio": 30,
    # English
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    # Danish and Norwegian
    "et": 1, "to": 2, "fire": 4, "seks": 6, "syv": 7, "otte": 8, "åtte": 8, "ni": 9, "ti": 10,
    "elleve": 11, "tyve": 20, "tjue": 20, "tredive": 30, "tretti": 30,
}  # fmt: skip
# Finnish numbers in the genitive, as "viiden työpäivän kuluessa" writes them
FI_NUMBERS = {
    "yhden": 1, "kahden": 2, "kolmen": 3, "neljän": 4, "viiden": 5, "kuuden": 6,
    "seitsemän": 7, "kahdeksan": 8, "yhdeksän": 9, "kymmenen": 10,
}  # fmt: skip
WEEKDAYS = {
    "måndag": 0, "tisdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lördag": 5,
    "söndag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "mandag": 0, "tirsdag": 1, "lørdag": 5, "søndag": 6,
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "första": 1, "andra": 2, "tredje": 3, "fjärde": 4, "første": 1, "andet": 2, "andre": 2,
    "fjerde": 4, "1.": 1, "2.": 2, "3.": 3, "4.": 4, "1:a": 1, "2:a": 2, "3:e": 3, "4:e": 4,
}  # fmt: skip


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# abbreviations may carry a full stop ("15 okt."); a full name's is the sentence's own
_ABBREVIATED = {"jan", "feb", "mar", "mär", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "okt",
                "nov", "dec", "dez", "des"}  # fmt: skip
_MON = (
    r"(?P<mon>"
    + "|".join(
        re.escape(m) + (r"\.?" if m in _ABBREVIATED else "")
        for m in sorted((m for m in MONTHS if len(m) >= 3), key=len, reverse=True)
    )
    + ")"
)
_NUM = r"(?P<n>\d{1,3}|" + _alt(NUMBERS) + r")"
_WD = r"(?P<wd>" + _alt(WEEKDAYS) + r")\b"
_ORD = r"(?P<ord>" + _alt(ORDINALS) + r")"


def _next_year(name: str = "ny") -> str:
    return rf"(?P<{name}>(?:nästa|nästkommande|kommande|næste|neste)\s+år|next\s+year)"


# an optional year after a month or date: "2022", "nästa år", "next year"
_YEAR = rf"(?:,?\s+(?P<year>20\d\d)|\s+{_next_year()})?(?![\w-])"
_BEFORE = r"(?:före|innan|till|fram\s+till|inför|by|before|until|før|inden|innen|til)"
_AFTER = r"(?:efter|after|etter)"
_WITHIN = r"(?:inom|within|in|inden\s+for|indenfor|inden|innen|innenfor)"
_WORKDAYS = (
    r"(?:arbetsdagar|arbetsdag|vardagar|vardag|working\s+days?|business\s+days?|arbejdsdage|"
    r"arbejdsdag|hverdage|virkedager|virkedag|arbeidsdager|arbeidsdag|yrkedagar)\b"
)
_DEADLINE = (
    r"(?:senast|innan|före|till|by|before|until|no\s+later\s+than|senest|inden|innen|før|til)"
)
_END_OF = (
    r"(?:(?:i|vid|mot|före|senast)\s+slutet\s+av|i\s+slutningen\s+af|(?:ved|inden)\s+udgangen\s+af"
    r"|i\s+slutten\s+av|(?:innen|ved)\s+utgangen\s+av|(?:by|at|before|until)\s+the\s+end\s+of"
    r"|end\s+of|(?:in\s+)?late)"
)
_MID_OF = r"(?:(?:i|vid)\s+mitten\s+av|i\s+midten\s+a[fv]|midt\s+i|(?:in|by)\s+mid-?\s*|mid-)"
_START_OF = (
    r"(?:(?:i|vid)\s+början\s+av|i\s+begyndelsen\s+af|i\s+starten\s+a[fv]|i\s+begynnelsen\s+av"
    r"|(?:at\s+the\s+)?beginning\s+of|(?:in\s+)?early(?:\s+in)?)"
)
_NEXT_WEEK = (
    r"(?:(?:nästa|nästkommande|kommande)\s+vecka|next\s+week"
    r"|(?:i\s+)?næste\s+uge|(?:i\s+)?neste\s+uke)"
)
_EASTER = r"(?:påsk(?:en)?|påskhelgen|easter|påske(?:n)?)\b"
_MIDSUMMER = r"(?:midsommar(?:en)?|midsummer|sankthans|sankt\s+hans)\b"
_SUMMER = (
    r"(?:sommaren|semestern|semestrarna|sommarsemestern|sommaruppehållet|sommarledigheten"
    r"|the\s+summer(?:\s+(?:holidays?|break|vacation))?|summer(?:\s+(?:holidays?|break|vacation))?"
    r"|sommerferien|sommeren)\b"
)
_CHRISTMAS = r"(?:jul(?:en)?|julhelgen|christmas|xmas|julen)\b"
_NEW_YEAR = r"(?:nyår(?:et)?|nyårshelgen|årsskiftet|new\s+year(?:'s)?|nytår(?:et)?|nyttår(?:et)?)\b"


# ---------------------------------------------------------------- calendar helpers


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def midsummer_eve(year: int) -> date:
    """Midsommarafton: the Friday between 19 and 25 June."""
    d = date(year, 6, 19)
    return d + timedelta(days=(4 - d.weekday()) % 7)


def _last_of_month(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _num(s: str) -> int:
    s = s.lower()
    return int(s) if s.isdigit() else NUMBERS.get(s, FI_NUMBERS.get(s, 0))


def _month(s: str) -> int:
    return MONTHS.get(s.lower().rstrip("."), 0)


def _group(m: re.Match, name: str) -> str | None:
    return m.groupdict().get(name)


def _year_of(m: re.Match) -> int | None:
    for name in ("year", "year2", "year3", "year4"):
        if y := _group(m, name):
            return int(y)
    return None


def _occurrence(
    m: re.Match, sent: date, span: Callable[[int], tuple[date, date] | None]
) -> date | None:
    """The target of a date or period that may lack a year. ``span(year)`` gives the
    period's start and its target date in ``year``. A written year is taken as written;
    "nästa år" means the year after the sending year; otherwise the occurrence whose start
    lies nearest the sending date. None when the target lies before the sending date."""
    year = _year_of(m)
    if year is None and (_group(m, "ny") or _group(m, "ny2")):
        year = sent.year + 1
    if year is not None:
        got = span(year)
    else:
        cands = [s for y in (sent.year - 1, sent.year, sent.year + 1) if (s := span(y))]
        got = min(cands, key=lambda s: (abs((s[0] - sent).days), -s[0].toordinal()), default=None)
    if got is None or got[1] < sent:
        return None
    return got[1]


def _next_on_or_after(sent: date, target: Callable[[int], date]) -> date:
    """The first of target(sent.year), target(sent.year + 1) on or after the sending date."""
    d = target(sent.year)
    return d if d >= sent else target(sent.year + 1)


def _safe(make: Callable[[], date]) -> date | None:
    try:
        return make()
    except ValueError:
        return None


# ---------------------------------------------------------------- resolvers


def _month_part(day_of: Callable[[int, int], date], direction: str):
    def resolve(m: re.Match, sent: date) -> Target | None:
        mo = _month(m.group("mon"))
        if not mo:
            return None
        got = _occurrence(m, sent, lambda y: (date(y, mo, 1), day_of(y, mo)))
        return (got, direction) if got else None

    return resolve


def _day_month(m: re.Match, sent: date) -> Target | None:
    mon = m.group("mon")
    mo = int(mon) if mon.isdigit() else _month(mon)
    day = int(m.group("day"))
    year = _group(m, "year")
    if year and len(year) == 2:
        year = "20" + year
    if not 1 <= mo <= 12:
        return None
    if year:
        d = _safe(lambda: date(int(year), mo, day))
        return (d, BEFORE) if d and d >= sent else None

    def span(y: int) -> tuple[date, date] | None:
        d = _safe(lambda: date(y, mo, day))
        return (d, d) if d else None

    got = _occurrence(m, sent, span)
    return (got, BEFORE) if got else None


def _relative(days: Callable[[date], date], direction: str = BEFORE):
    return lambda m, sent: (days(sent), direction)


def _within_days(m, sent):
    n = _num(m.group("n"))
    return (sent + timedelta(days=n), BEFORE) if n else None


def _within_weeks(m, sent):
    n = _num(m.group("n"))
    return (sent + timedelta(weeks=n), BEFORE) if n else None


def _within_months(m, sent):
    n = _num(m.group("n"))
    return (_add_months(sent, n), BEFORE) if n else None


def _working_days(m, sent):
    n = _num(m.group("n"))
    return (add_working_days(sent, n), EXACT) if 0 < n <= 365 else None


def _monday_next_week(sent: date) -> date:
    return sent + timedelta(days=7 - sent.weekday())


def _this_week_friday(sent: date) -> date:
    return sent + timedelta(days=4 - sent.weekday() if sent.weekday() <= 4 else 11 - sent.weekday())


def _weekday(m: re.Match, sent: date) -> Target | None:
    if _group(m, "day"):  # "på torsdag den 12 maj": the date decides
        return _day_month(m, sent)
    before = m.string[max(0, m.start() - 20) : m.start()].split()
    if before and before[-1].lower().strip(",") in WEEKDAYS:
        return None  # "måndag till fredag": a span of opening hours, not a deadline
    wd = WEEKDAYS[m.group("wd").lower()]
    return sent + timedelta(days=(wd - sent.weekday() - 1) % 7 + 1), BEFORE


def _weekday_next_week(m: re.Match, sent: date) -> Target:
    return _monday_next_week(sent) + timedelta(days=WEEKDAYS[m.group("wd").lower()]), BEFORE


def _week_number(weekday: int, direction: str):
    def resolve(m: re.Match, sent: date) -> Target | None:
        wk = int(m.group("wk"))
        if not 1 <= wk <= 53:
            return None

        def span(y: int) -> tuple[date, date] | None:
            monday = _safe(lambda: date.fromisocalendar(y, wk, 1))
            return (monday, monday + timedelta(days=weekday)) if monday else None

        got = _occurrence(m, sent, span)
        return (got, direction) if got else None

    return resolve


def _period(months: int):
    """A quarter (months=3) or half-year (months=6), numbered by the match's ``q``, ``h``,
    ``qn`` or ``ord`` group: its last day, or its first where the match has a ``part``
    ("i början av Q3")."""

    def resolve(m: re.Match, sent: date) -> Target | None:
        raw = _group(m, "q") or _group(m, "h") or _group(m, "qn")
        n = int(raw) if raw else ORDINALS.get((_group(m, "ord") or "").lower(), 0)
        if not 1 <= n <= 12 // months:
            return None
        first = (n - 1) * months + 1
        at_start = bool(_group(m, "part"))

        def span(y: int) -> tuple[date, date]:
            start = date(y, first, 1)
            return start, (start if at_start else _last_of_month(y, first + months - 1))

        got = _occurrence(m, sent, span)
        return (got, AFTER if at_start else BEFORE) if got else None

    return resolve


def _end_of_next_month(sent: date) -> date:
    d = _add_months(sent.replace(day=1), 1)
    return _last_of_month(d.year, d.month)


def _end_of_year(m, sent):
    year = _year_of(m) or sent.year
    d = date(year, 12, 30)  # nyårsafton is not a working day
    return (d, BEFORE) if d >= sent else None


def _yearly(target: Callable[[int], date], direction: str):
    return lambda m, sent: (_next_on_or_after(sent, target), direction)


def _season(month: int, day: int | None, direction: str):
    """A day of the year: ``day`` of ``month``, or its last day when ``day`` is None."""

    def target(y: int) -> date:
        return date(y, month, day) if day else _last_of_month(y, month)

    return _yearly(target, direction)


def _second_monday_of_august(y: int) -> date:
    first = date(y, 8, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7)


# ---------------------------------------------------------------- the table

_I = re.IGNORECASE
_PERIOD_PREP = (
    r"(?:i|under|in|during|by|till|until|före|innan|senast|before|inom|within|før|inden|innen"
    r"|senest|i\s+løbet\s+af|i\s+løpet\s+av)"
)
_QUARTER_WORD = r"(?:kvartalet|kvartal|quarter)"
_HALF_WORD = (
    r"(?:halvåret|halvår|halvdel(?:en)?\s+af\s+året|halvdel(?:en)?\s+av\s+året"
    r"|halvan\s+av\s+(?:året|(?P<year2>20\d\d))|half\s+of\s+(?:the\s+year|(?P<year3>20\d\d)"
    rf"|{_next_year('ny2')})|half)"
)
_QUARTER = rf"(?:(?:the\s+)?{_ORD}\s+{_QUARTER_WORD}|kvartal\s+(?P<qn>[1-4])|Q(?P<q>[1-4]))"
_HALF = rf"(?:(?:the\s+)?{_ORD}\s+{_HALF_WORD}|H(?P<h>[12]))"
_OF_YEAR = rf"(?:\s+(?:of\s+|av\s+|af\s+)?(?P<year>20\d\d)|\s+{_next_year()})?(?![\w-])"


def _r(name, lead, pattern, resolve) -> Rule:
    return Rule(name, tuple(lead), re.compile(pattern, _I), resolve)


_DL_LEAD = ("senast", "innan", "före", "till", "by", "before", "until", "no", "senest", "inden",
            "innen", "før", "til")  # fmt: skip
_PREP_LEAD = ("i", "under", "in", "during", "by", "till", "until", "före", "innan", "senast",
              "before", "inom", "within", "før", "inden", "innen", "senest")  # fmt: skip

RULES: list[Rule] = [
    # -- months and dates
    _r("month-end", ("i", "vid", "mot", "före", "senast", "ved", "inden", "innen", "by", "at",
                     "before", "until", "end", "in", "late"),
       rf"{_END_OF}\s+{_MON}{_YEAR}", _month_part(_last_of_month, BEFORE)),
    _r("month-mid", ("i", "vid", "midt", "in", "by", "mid"),
       rf"{_MID_OF}\s*{_MON}{_YEAR}", _month_part(lambda y, mo: date(y, mo, 15), BEFORE)),
    _r("month-start", ("i", "vid", "at", "beginning", "in", "early"),
       rf"{_START_OF}\s+{_MON}{_YEAR}", _month_part(lambda y, mo: date(y, mo, 1), AFTER)),
    _r("day-month", _DL_LEAD,
       rf"{_DEADLINE}\s+(?:(?:den|the)\s+)?(?P<day>\d{{1,2}})(?:e|a|:e|:a|st|nd|rd|th)?\.?\s+"
       rf"(?:of\s+)?{_MON}{_YEAR}", _day_month),
    _r("month-day", ("by", "before", "until", "no"),
       rf"(?:by|before|until|no\s+later\s+than)\s+{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
       rf"{_YEAR}", _day_month),
    _r("numeric-date", ("senast", "innan", "före", "senest", "inden", "innen", "før"),
       r"(?:senast|innan|före|senest|inden|innen|før)\s+(?:den\s+)?(?P<day>\d{1,2})/"
       r"(?P<mon>\d{1,2})(?:[/-](?P<year>\d{4}|\d{2}))?(?![\d/])", _day_month),
    _r("iso-date", _DL_LEAD,
       rf"{_DEADLINE}\s+(?:(?:den|the)\s+)?(?P<year>20\d\d)-(?P<mon>\d{{1,2}})-(?P<day>\d{{1,2}})"
       r"(?!\d)", _day_month),
    _r("next-month-start", ("i", "vid", "at", "beginning", "early"),
       r"(?:(?:i|vid)\s+början\s+av\s+nästa\s+månad|i\s+begyndelsen\s+af\s+næste\s+måned"
       r"|i\s+starten\s+a[fv]\s+(?:næste|neste)\s+måned|i\s+begynnelsen\s+av\s+neste\s+måned"
       r"|(?:at\s+the\s+)?beginning\s+of\s+next\s+month|early\s+next\s+month)\b",
       _relative(lambda s: _add_months(s.replace(day=1), 1), AFTER)),
    _r("this-month-end", ("i", "vid", "före", "by", "before", "at", "until"),
       r"(?:(?:i|vid|före)\s+slutet\s+av\s+(?:(?:denna|den\s+här)\s+månad(?:en)?|månaden)"
       r"|i\s+slutningen\s+af\s+måneden|i\s+slutten\s+av\s+måneden"
       r"|(?:by|before|at|until)\s+the\s+end\s+of\s+(?:the|this)\s+month)\b",
       _relative(lambda s: _last_of_month(s.year, s.month))),
    _r("next-month-end", ("i", "vid", "före", "innen", "by", "at", "before", "until", "end"),
       r"(?:(?:i|vid|före)\s+slutet\s+av\s+nästa\s+månad|i\s+slutningen\s+af\s+næste\s+måned"
       r"|i\s+slutten\s+av\s+neste\s+måned|innen\s+utgangen\s+av\s+neste\s+måned"
       r"|(?:(?:by|at|before|until)\s+the\s+)?end\s+of\s+next\s+month)\b",
       _relative(_end_of_next_month)),
    _r("end-of-year", ("i", "vid", "ved", "innen", "inden", "by", "before", "at", "until"),
       r"(?:i\s+slutet\s+av\s+året|vid\s+årsskiftet|i\s+slutningen\s+af\s+året|ved\s+årsskiftet"
       r"|i\s+slutten\s+av\s+året|(?:innen\s+utgangen\s+av|inden\s+udgangen\s+af)\s+året"
       r"|(?:by|before|at|until)\s+the\s+end\s+of\s+the\s+year)(?:\s+(?P<year>20\d\d))?\b",
       _end_of_year),
    # -- weeks and weekdays
    _r("this-week-end", ("i", "vid", "före", "by", "before", "at"),
       r"(?:(?:i|vid|före)\s+slutet\s+av\s+(?:den\s+här\s+|denna\s+)?veckan?"
       r"|i\s+slutningen\s+af\s+(?:denne\s+)?ugen|i\s+slutten\s+av\s+(?:denne\s+)?uken"
       r"|(?:by|before|at)\s+the\s+end\s+of\s+(?:the|this)\s+week)\b",
       _relative(_this_week_friday)),
    _r("next-week", ("nästa", "nästkommande", "kommande", "next", "i", "næste", "neste"),
       rf"{_NEXT_WEEK}\b", _relative(lambda s: _monday_next_week(s) + timedelta(days=4))),
    _r("next-week-start", ("i", "at", "early", "tidlig"),
       r"(?:i\s+början\s+av\s+nästa\s+vecka|i\s+begyndelsen\s+af\s+næste\s+uge"
       r"|i\s+starten\s+a[fv]\s+(?:næste\s+uge|neste\s+uke)|i\s+begynnelsen\s+av\s+neste\s+uke"
       r"|(?:at\s+the\s+beginning\s+of|early)\s+next\s+week|tidlig\s+neste\s+uke)\b",
       _relative(_monday_next_week, AFTER)),
    _r("next-week-mid", ("i", "midt", "in", "mid"),
       r"(?:i\s+mitten\s+av\s+nästa\s+vecka|midt\s+i\s+(?:næste\s+uge|neste\s+uke)"
       r"|(?:in\s+the\s+middle\s+of|mid-?)\s*next\s+week)\b",
       _relative(lambda s: _monday_next_week(s) + timedelta(days=2))),
    _r("next-week-end", ("i", "by", "at", "before", "end"),
       r"(?:i\s+slutet\s+av\s+nästa\s+vecka|i\s+slutningen\s+af\s+næste\s+uge"
       r"|i\s+slutten\s+av\s+neste\s+uke|(?:(?:by|at|before)\s+the\s+)?end\s+of\s+next\s+week)\b",
       _relative(lambda s: _monday_next_week(s) + timedelta(days=4))),
    _r("week-number", ("vecka", "week", "wk", "uge", "uke", "v"),
       r"(?:vecka|week|wk\.?|uge|uke|v\.|v(?=\s))\s*(?P<wk>\d{1,2})(?:\s*,?\s*(?P<year>20\d\d))?"
       r"\b(?!\s*(?:%|kr|st\b|dagar|days))", _week_number(4, BEFORE)),
    _r("week-start", ("i", "at", "beginning", "early", "in"),
       r"(?:i\s+början\s+av|i\s+begyndelsen\s+af|i\s+starten\s+a[fv]|i\s+begynnelsen\s+av"
       r"|(?:at\s+the\s+)?beginning\s+of|(?:in\s+)?early)\s+(?:vecka|week|uge|uke|v\.)\s*"
       r"(?P<wk>\d{1,2})(?:\s*,?\s*(?P<year>20\d\d))?\b", _week_number(0, AFTER)),
    _r("weekday", ("senast", "till", "innan", "före", "på", "senest", "inden", "innen", "til",
                   "før", "by", "before", "until", "no"),
       r"(?:senast\s+(?:på\s+)?|till\s+|innan\s+|före\s+|på\s+|senest\s+(?:på\s+)?|inden\s+"
       r"|innen\s+|til\s+|før\s+|by\s+|before\s+|until\s+|no\s+later\s+than\s+)"
       rf"(?:(?:this|denna|kommande|denne)\s+)?{_WD}"
       rf"(?:\s+(?:den\s+|the\s+)?(?P<day>\d{{1,2}})(?:e|a|:e|:a|st|nd|rd|th)?\.?\s+{_MON}{_YEAR})?",
       _weekday),
    _r("next-weekday", ("nästa", "nästkommande", "next", "næste", "neste"),
       rf"(?:nästa|nästkommande|next|næste|neste)\s+{_WD}", _weekday_next_week),
    _r("weekday-next-week", ("på", *WEEKDAYS),
       rf"(?:på\s+)?{_WD}\s+(?:i\s+)?{_NEXT_WEEK}\b", _weekday_next_week),
    # -- working days and spans
    _r("within-working-days", ("inom", "within", "in", "inden", "indenfor", "innen", "innenfor"),
       rf"{_WITHIN}\s+{_NUM}\s+{_WORKDAYS}", _working_days),
    _r("working-days-after", ("senast", "no", "not", "senest"),
       rf"(?:senast|no\s+later\s+than|not\s+later\s+than|senest)\s+{_NUM}\s+{_WORKDAYS}"
       rf"\s+(?:efter|after|etter|from)\b", _working_days),
    _r("fi-working-days", ("#", *FI_NUMBERS),
       rf"(?P<n>\d{{1,3}}|{_alt(FI_NUMBERS)})\s+työpäivän\s+(?:kuluessa|sisällä|aikana)\b",
       _working_days),
    _r("within-days", ("inom", "within", "in", "inden", "indenfor", "innen", "innenfor"),
       rf"{_WITHIN}\s+{_NUM}\s+(?:dagar|dag|days?|dage|dager|døgn)\b", _within_days),
    _r("within-weeks", ("inom", "within", "in", "inden", "indenfor", "innen", "innenfor"),
       rf"{_WITHIN}\s+{_NUM}\s+(?:veckor|vecka|weeks?|uger|uge|uker|uke)\b", _within_weeks),
    _r("within-months", ("inom", "within", "in", "inden", "indenfor", "innen", "innenfor"),
       rf"{_WITHIN}\s+{_NUM}\s+(?:månader|månad|months?|måneder|måned)\b", _within_months),
    # -- quarters and halves ("Q3" and "H2" only with a preposition or a year: "H2" alone
    # is as often hydrogen)
    _r("quarter", _PREP_LEAD,
       rf"(?P<part>(?:i\s+början\s+av|at\s+the\s+(?:beginning|start)\s+of|early\s+in)\s+)?"
       rf"(?:{_PERIOD_PREP}\s+)?(?:{_QUARTER}){_OF_YEAR}",
       _period(3)),
    _r("quarter-bare", ("första", "andra", "tredje", "fjärde", "first", "second", "third",
                        "fourth", "første", "andet", "andre", "fjerde", "q1", "q2", "q3", "q4",
                        "#"),
       rf"(?:{_ORD}\s+{_QUARTER_WORD}{_OF_YEAR}|Q(?P<q>[1-4])\s+(?P<year4>20\d\d)\b)",
       _period(3)),
    _r("half", _PREP_LEAD,
       rf"(?:{_PERIOD_PREP}\s+)(?:{_HALF}){_OF_YEAR}", _period(6)),
    _r("half-bare", ("första", "andra", "first", "second", "første", "andet", "andre", "h1", "h2",
                     "#"),
       rf"(?:{_ORD}\s+(?:halvåret|halvår|halvan\s+av\s+(?:året|(?P<year2>20\d\d))"
       rf"|half\s+of\s+(?:the\s+year|(?P<year3>20\d\d)))(?:\s+(?P<year>20\d\d))?"
       r"|H(?P<h>[12])\s+(?P<year4>20\d\d))(?![\w-])",
       _period(6)),
    # -- the Swedish year
    _r("easter-before", ("före", "innan", "till", "fram", "inför", "by", "before", "until",
                         "før", "inden", "innen", "til", "kring", "runt", "around"),
       rf"(?:{_BEFORE}|kring|runt|around)\s+{_EASTER}",
       _yearly(lambda y: easter(y) - timedelta(days=3), BEFORE)),
    _r("easter-after", ("efter", "after", "etter"), rf"{_AFTER}\s+{_EASTER}",
       _yearly(lambda y: easter(y) + timedelta(days=2), AFTER)),
    _r("walpurgis-before", ("före", "innan", "till", "fram", "inför"),
       r"(?:före|innan|till|fram\s+till|inför)\s+valborg(?:smässoafton)?\b",
       _season(4, 30, BEFORE)),
    _r("walpurgis-after", ("efter",), r"efter\s+valborg(?:smässoafton)?\b",
       _season(5, 2, AFTER)),
    _r("midsummer-before", ("före", "innan", "till", "fram", "inför", "by", "before", "until",
                            "før", "inden", "innen", "til"),
       rf"{_BEFORE}\s+{_MIDSUMMER}", _yearly(lambda y: midsummer_eve(y) - timedelta(days=1),
                                             BEFORE)),
    _r("midsummer-after", ("efter", "after", "etter"), rf"{_AFTER}\s+{_MIDSUMMER}",
       _yearly(lambda y: midsummer_eve(y) + timedelta(days=3), AFTER)),
    _r("summer-before", ("före", "innan", "till", "fram", "inför", "by", "before", "until",
                         "før", "inden", "innen", "til"),
       rf"{_BEFORE}\s+{_SUMMER}", _yearly(lambda y: midsummer_eve(y) - timedelta(days=1),
                                          BEFORE)),
    _r("summer-after", ("efter", "after", "etter"), rf"{_AFTER}\s+{_SUMMER}",
       _yearly(_second_monday_of_august, AFTER)),
    _r("christmas-before", ("före", "innan", "till", "fram", "inför", "by", "before", "until",
                            "før", "inden", "innen", "til"),
       rf"{_BEFORE}\s+{_CHRISTMAS}", _season(12, 23, BEFORE)),
    _r("christmas-after", ("efter", "after", "etter"),
       rf"{_AFTER}\s+(?:jul(?:en)?|julhelgen|jul-\s+och\s+nyårshelgen(?:a)?|christmas|xmas)\b",
       _yearly(lambda y: date(y, 1, 7), AFTER)),
    _r("mellandagarna", ("i", "under"), r"(?:i|under)\s+mellandagarna\b",
       _season(12, 30, BEFORE)),
    _r("new-year-before", ("före", "innan", "till", "fram", "inför", "by", "before", "until",
                           "før", "inden", "innen", "til"),
       rf"{_BEFORE}\s+{_NEW_YEAR}", _season(12, 30, BEFORE)),
    _r("mellandagarna-before", ("före", "innan", "till", "fram", "inför"),
       r"(?:före|innan|till|fram\s+till|inför)\s+mellandagarna\b", _season(12, 23, BEFORE)),
    _r("new-year-after", ("efter", "after", "etter", "in", "i", "på"),
       rf"(?:{_AFTER}\s+(?:{_NEW_YEAR}|mellandagarna\b)|in\s+the\s+new\s+year\b"
       r"|(?:i|på)\s+nyåret\b|på\s+det\s+nya\s+året\b|i\s+det\s+nye\s+år\b)",
       _yearly(lambda y: date(y, 1, 2), AFTER)),
    # -- seasons ("i vår" is also "in our": only where a clause ends after it)
    _r("autumn-start", ("till", "fram", "by", "til"),
       r"(?:till|fram\s+till|by|til)\s+(?:hösten|the\s+autumn|autumn|the\s+fall|efteråret"
       r"|høsten)\b", _season(9, 1, AFTER)),
    _r("autumn", ("i", "under", "in", "during", "this", "later"),
       r"(?:i\s+höst|under\s+hösten|i\s+efteråret|i\s+løbet\s+af\s+efteråret|i\s+høst"
       r"|i\s+løpet\s+av\s+høsten|(?:in|during)\s+the\s+(?:autumn|fall)"
       r"|(?:later\s+)?this\s+(?:autumn|fall))\b", _season(11, None, BEFORE)),
    _r("spring-start", ("till", "fram", "by", "til"),
       r"(?:till|fram\s+till|by|til)\s+(?:våren|the\s+spring|spring|foråret)\b",
       _season(3, 1, AFTER)),
    _r("spring", ("i", "under", "in", "during", "this", "later"),
       r"(?:i\s+vår(?=\s*(?:[.,;:!?)\n]|\Z|(?:och|eller|men|när|då|så|samt|igen|20\d\d)\b))"
       r"|under\s+våren|i\s+foråret|i\s+løbet\s+af\s+foråret|i\s+løpet\s+av\s+våren"
       r"|(?:in|during)\s+the\s+spring|(?:later\s+)?this\s+spring)\b",
       _season(5, None, BEFORE)),
]  # fmt: skip
