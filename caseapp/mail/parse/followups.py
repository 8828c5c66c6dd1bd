"""Follow-up promises in prose ("i slutet av oktober 2021", "inom två veckor", "by the end of
the month") turned into proposed due dates on Swedish working days.

Rules (documented choices):
- A due date that falls on a weekend or a Swedish public holiday (``holidays.Sweden``, plus
  midsummer eve, Christmas eve and New Year's eve, which public bodies treat as holidays)
  moves to the working day BEFORE it - except "i början av …"/"beginning of …", which means
  the first working day of the month and so moves forward.
- A month or date without a year means the next occurrence on or after the sent date.
- "i slutet av M" = last working day of M; "i mitten av M" = the 15th; "vecka 43" = Friday of
  ISO week 43; "efter sommaren" = the second Monday of August (Swedish offices are back from
  the July holidays by then); "före jul" = the working day before Christmas eve; "next week"
  / "nästa vecka" = Friday of next week; "inom en månad" = same day next month.
Text is scanned in bounded windows so that hostile input costs linear time.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from caseapp.workdays import (
    working_day_on_or_after,
    working_day_on_or_before,
)

from .dates import MONTHS

MAX_TEXT = 200_000

NUMBERS = {
    "en": 1, "ett": 1, "one": 1, "a": 1, "an": 1, "två": 2, "two": 2, "tre": 3, "three": 3,
    "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7, "seven": 7,
    "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tio": 10, "ten": 10, "elva": 11,
    "eleven": 11, "tolv": 12, "twelve": 12, "fjorton": 14, "fourteen": 14,
}  # fmt: skip
_NUM = r"(\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
_MON = r"(" + "|".join(sorted((m for m in MONTHS if len(m) >= 3), key=len, reverse=True)) + r")"
_YEAR = r"(?:\s+(20\d\d))?"


def _month_year(month: int, year: str | None, sent: date) -> int:
    if year:
        return int(year)
    return sent.year if month >= sent.month else sent.year + 1


def _last_of_month(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _num(s: str) -> int:
    s = s.lower()
    return int(s) if s.isdigit() else NUMBERS.get(s, 0)


def _month(s: str) -> int:
    return MONTHS.get(s.lower().rstrip("."), 0)


def _end_of(m, sent):
    mo = _month(m.group(1))
    return working_day_on_or_before(_last_of_month(_month_year(mo, m.group(2), sent), mo))


def _mid_of(m, sent):
    mo = _month(m.group(1))
    return working_day_on_or_before(date(_month_year(mo, m.group(2), sent), mo, 15))


def _start_of(m, sent):
    mo = _month(m.group(1))
    return working_day_on_or_after(date(_month_year(mo, m.group(2), sent), mo, 1))


def _start_next_month(m, sent):
    return working_day_on_or_after(_add_months(sent.replace(day=1), 1))


def _end_this_month(m, sent):
    return working_day_on_or_before(_last_of_month(sent.year, sent.month))


def _end_next_month(m, sent):
    d = _add_months(sent.replace(day=1), 1)
    return working_day_on_or_before(_last_of_month(d.year, d.month))


def _day_month(m, sent):
    day, mo, year = int(m.group(1)), _month(m.group(2)), m.group(3)
    return _dated(day, mo, year, sent)


def _month_day(m, sent):
    mo, day, year = _month(m.group(1)), int(m.group(2)), m.group(3)
    return _dated(day, mo, year, sent)


def _numeric(m, sent):
    day, mo = int(m.group(1)), int(m.group(2))
    year = m.group(3)
    if year and len(year) == 2:
        year = "20" + year
    return _dated(day, mo, year, sent)


def _dated(day, mo, year, sent):
    if not 1 <= mo <= 12:
        return None
    try:
        d = date(int(year) if year else sent.year, mo, day)
    except ValueError:
        return None
    if not year and d < sent:
        try:
            d = d.replace(year=d.year + 1)
        except ValueError:
            return None
    return working_day_on_or_before(d)


def _within_days(m, sent):
    return working_day_on_or_before(sent + timedelta(days=_num(m.group(1))))


def _within_weeks(m, sent):
    return working_day_on_or_before(sent + timedelta(weeks=_num(m.group(1))))


def _within_months(m, sent):
    return working_day_on_or_before(_add_months(sent, _num(m.group(1))))


def _week(m, sent):
    wk = int(m.group(1))
    year = int(m.group(2)) if m.group(2) else sent.year
    try:
        d = date.fromisocalendar(year, wk, 5)
    except ValueError:
        return None
    if not m.group(2) and d < sent:
        try:
            d = date.fromisocalendar(year + 1, wk, 5)
        except ValueError:
            return None
    return working_day_on_or_before(d)


def _end_of_week(m, sent):
    days = 4 - sent.weekday() if sent.weekday() <= 4 else 11 - sent.weekday()
    return working_day_on_or_before(sent + timedelta(days=days))


def _next_week(m, sent):
    return working_day_on_or_before(sent + timedelta(days=11 - sent.weekday()))


def _after_summer(m, sent):
    year = sent.year if sent < date(sent.year, 8, 1) else sent.year + 1
    first = date(year, 8, 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    return working_day_on_or_after(monday + timedelta(days=7))


def _before_christmas(m, sent):
    year = sent.year if sent <= date(sent.year, 12, 23) else sent.year + 1
    return working_day_on_or_before(date(year, 12, 23))


def _end_of_year(m, sent):
    year = int(m.group(1)) if m.group(1) else sent.year
    return working_day_on_or_before(date(year, 12, 30))


_I = re.IGNORECASE
RULES = [
    (re.compile(rf"\b(?:i|vid|mot)\s+slutet\s+av\s+{_MON}{_YEAR}\b", _I), _end_of),
    (re.compile(rf"\b(?:i|vid)\s+mitten\s+av\s+{_MON}{_YEAR}\b", _I), _mid_of),
    (re.compile(rf"\b(?:i|vid)\s+början\s+av\s+{_MON}{_YEAR}\b", _I), _start_of),
    (re.compile(rf"\b(?:by|at|before)\s+the\s+end\s+of\s+{_MON}{_YEAR}\b", _I), _end_of),
    (re.compile(rf"\b(?:in|by)\s+mid-?\s*{_MON}{_YEAR}\b", _I), _mid_of),
    (re.compile(rf"\b(?:at\s+the\s+beginning|early)\s+(?:of\s+|in\s+)?{_MON}{_YEAR}\b", _I), _start_of),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:i|vid)\s+början\s+av\s+nästa\s+månad\b|\b(?:at\s+the\s+)?beginning\s+of\s+next\s+month\b", _I), _start_next_month),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:i|vid|före)\s+slutet\s+av\s+(?:denna|den\s+här)\s+månad(?:en)?\b|\b(?:i|vid|före)\s+slutet\s+av\s+månaden\b|\b(?:by|before|at)\s+the\s+end\s+of\s+(?:the|this)\s+month\b", _I), _end_this_month),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:i|vid)\s+slutet\s+av\s+nästa\s+månad\b|\bby\s+the\s+end\s+of\s+next\s+month\b", _I), _end_next_month),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:(?:i|vid|före)\s+slutet\s+av\s+(?:den\s+här\s+|denna\s+)?veckan?|by\s+the\s+end\s+of\s+(?:the|this)\s+week)\b", _I), _end_of_week),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:nästa\s+vecka|next\s+week)\b", _I), _next_week),
    (re.compile(rf"\b(?:senast|innan|före|by|before|until|no\s+later\s+than)\s+(?:den\s+|the\s+)?(\d{{1,2}})(?:e|a|:e|:a|st|nd|rd|th)?\.?\s+(?:of\s+)?{_MON}{_YEAR}\b", _I), _day_month),  # noqa: E501 - one rule per line reads best
    (re.compile(rf"\b(?:by|before|until|no\s+later\s+than)\s+{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(20\d\d))?\b", _I), _month_day),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:senast|innan|före)\s+(?:den\s+)?(\d{1,2})/(\d{1,2})(?:[/-](\d{2}|\d{4}))?(?!\d)", _I), _numeric),  # noqa: E501 - one rule per line reads best
    (re.compile(rf"\b(?:inom|within|in)\s+{_NUM}\s+(?:arbets)?(?:dagar|dag|days?)\b", _I), _within_days),  # noqa: E501 - one rule per line reads best
    (re.compile(rf"\b(?:inom|within|in)\s+{_NUM}\s+(?:veckor|vecka|weeks?)\b", _I), _within_weeks),
    (re.compile(rf"\b(?:inom|within|in)\s+{_NUM}\s+(?:månader|månad|months?)\b", _I), _within_months),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:vecka|week|wk\.?|v\.|v(?=\s))\s*(\d{1,2})(?:\s*,?\s*(20\d\d))?\b(?!\s*(?:%|kr|st\b))", _I), _week),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:efter|after)\s+(?:sommaren|semestern|the\s+summer(?:\s+holidays?)?)\b", _I), _after_summer),  # noqa: E501 - one rule per line reads best
    (re.compile(r"\b(?:före|innan|before)\s+(?:jul|julen|christmas)\b", _I), _before_christmas),
    (re.compile(r"\b(?:i\s+slutet\s+av\s+året|vid\s+årsskiftet|(?:by|before)\s+the\s+end\s+of\s+the\s+year)(?:\s+(20\d\d))?\b", _I), _end_of_year),  # noqa: E501 - one rule per line reads best
]  # fmt: skip


# Every rule starts with one of these words; rules are only tried where one occurs, which
# makes the scan one pass of a cheap regex instead of one pass per rule.
_TRIGGER = re.compile(
    r"\b(?:i|vid|mot|by|at|before|in|early|beginning|senast|innan|före|until|no|inom|within|"
    r"vecka|week|wk|v|nästa|next|efter|after)\b",
    re.IGNORECASE,
)


# All the rules as one pattern: tried first at each trigger word, in C, so that the rules
# are tried one by one (in Python) only where one of them matches. Most trigger words
# ("i", "in", "v") start no phrase at all (a quarter less parse time for bench/gen_eml.py mail).
_ANY_RULE = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in RULES), _I)


def find_followups(text: str, sent: date) -> list[tuple[date, str]]:
    """Every follow-up phrase in ``text`` with its due date, in order of appearance.
    Overlapping matches keep the longest; the same (due, phrase) is reported once."""
    if not text:
        return []
    text = text[:MAX_TEXT]
    hits: list[tuple[int, int, date, str]] = []
    for t in _TRIGGER.finditer(text):
        pos = t.start()
        if not _ANY_RULE.match(text, pos):
            continue
        for rx, fn in RULES:
            m = rx.match(text, pos)
            if not m:
                continue
            try:
                due = fn(m, sent)
            except (ValueError, OverflowError):
                due = None
            if due is not None:
                hits.append((m.start(), m.end(), due, re.sub(r"\s+", " ", m.group(0)).strip()))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[date, str]] = []
    last_end = -1
    seen: set[tuple[date, str]] = set()
    for start, end, due, phrase in hits:
        if start < last_end:
            continue
        last_end = end
        if (due, phrase.lower()) in seen:
            continue
        seen.add((due, phrase.lower()))
        out.append((due, phrase))
    return out


def sentence_around(text: str, phrase: str) -> str:
    """The sentence of ``text`` that holds ``phrase`` (for a human to read), at most 300
    characters."""
    i = text.find(phrase)
    if i < 0:
        return phrase
    start = max(text.rfind(".", 0, i), text.rfind("\n", 0, i), i - 250) + 1
    ends = [
        e for e in (text.find(".", i + len(phrase)), text.find("\n", i + len(phrase))) if e >= 0
    ]
    end = min(ends + [i + len(phrase) + 200]) + 1
    return re.sub(r"\s+", " ", text[start:end]).strip()[:300]
